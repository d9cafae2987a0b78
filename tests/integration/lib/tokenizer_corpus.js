// The corpus the tokenizer is checked against tiktoken with: hand-written cases for every
// subtle part of the two pre-tokenization patterns, text in many scripts, and random Unicode
// from a fixed-seed generator (so a failure reproduces). Items never contain NUL: the CLI's -0
// mode uses it as the separator.
'use strict';

function prng(seed) {
  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROSE = `It was the best of times, it was the worst of times, it was the age of wisdom, it was
the age of foolishness... "Don't," she said. "You'll regret it; we've SEEN what they'd do."
I'M TELLING YOU: THEY'RE HERE. Mr. O'Neill's dog isn't Bob's (it's Alice's).`;

const CODE = [
  `#include <vector>\nint main(int argc, char** argv) {\n    std::vector<int> v{1, 2, 3};\n\tfor (auto& x : v) x *= 2;  // double\n    return v.size() > 2 ? 0 : 1;\n}\n`,
  `def fib(n: int) -> int:\n    """Return the n-th Fibonacci number."""\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n\n\nprint(f"{fib(30)=}")\n`,
  `const f = async (x) => { await fetch(\`/api/\${x}?q=1&r=2\`); return x ?? null; };\n// TODO: fix\n/* block */ export default f;\n`,
  `fn main() {\n    let s: &str = "héllo";\n    println!("{:?}", s.chars().rev().collect::<String>());\n}\n`,
  `SELECT id, name FROM users WHERE created_at >= '2024-01-01' AND email LIKE '%@example.com';\n`,
  `<html><body><div class="a b" id='x'>&nbsp;Hi&amp;bye</div></body></html>\n`,
  `{"key": [1, 2.5, -3e10, true, null], "nested": {"a": "b\\n"}}\n`,
  `package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hi")\n}\n`,
  `#!/bin/sh\nset -eu\nfor f in *.txt; do echo "$f" | tr a-z A-Z; done 2>/dev/null\n`,
  `  indented\n\n\n    more\r\n\r\n\ttabs\t\there  \n`,
];

const SCRIPTS = [
  '你好，世界！这是一个测试。我们今天去公园散步吧。',
  '日本語のテキスト、カタカナとひらがなと漢字。ｶﾀｶﾅ',
  '한국어 텍스트입니다. 안녕하세요!',
  'مرحبا بالعالم. هذه جملة عربية مع أرقام ١٢٣٤٥ و 678.',
  'नमस्ते दुनिया। यह हिंदी में एक वाक्य है, २०२४ में।',
  'สวัสดีชาวโลก นี่คือประโยคภาษาไทย',
  'Привет, мир! Это ТЕСТ на русском языке.',
  'Γειά σου Κόσμε! ΑΒΓ αβγ ς',
  'עברית: שלום עולם',
  'Ünïcödé çàsé: ÀÉÎÕÜ àéîõü ß ẞ ǅ ǈ ǋ ﬁ ﬂ',
  'e\u0301 a\u0300\u0301 A\u0301B \u0301\u0301x \u0301A ´A Ǆa ᾈb',
  'Emoji: 😀😃😄 👍🏽👍🏿 👨‍👩‍👧‍👦 🏳️‍🌈 👩🏽‍💻 ❤️ 🇺🇸🇫🇷 1️⃣ #️⃣',
  'Math: ∑∫∂√∞ ≤≥≠ ½ ¾ ² ³ Ⅻ ⅷ 𝟙𝟚 𝔸𝔹',
  'Zero\u200bwidth\u200cjoin\u200dtest\ufeffbom \u00a0nbsp\u2003em\u3000ideo',
];

const EDGES = [
  '', ' ', '  ', '\n', '\r\n', '\n\n\n', ' \n ', '  \n  x', '\t\tx', 'a  ', 'a \n', ' a', '  a',
  "'s", "'S", "'t", "'re", "'RE", "'Re", "'ve", "'m", "'ll", "'LL", "'d", "'x", "'", "''s",
  "it's", "IT'S", "It'S", "they're", "THEY'RE", "we'VE", "I'm", "you'll", "he'd", "'ſ", "Xſ 'ſt",
  "don't'", "'s's", " 's", "''", "a'b", "A'LL", "1's", "?'s", "'s\n", 'x\'\n',
  '123', '1234', '12345678', '1,234,567.89', '٣٤٥٦', '१२३४', '²³¹', 'Ⅷ', '3.14159265358979',
  '    x', '      \n', 'a\u3000\u3000b', 'a\u00a0 b', '\u0085x', 'x\u2028y\u2029z', '\v\fx',
  '!!!\n\n', '... ///\n/\n', ' ?/\r\n', 'a/b//c', '?\u00a0?', '$$$$ $$$', '--> <!--',
  '<|endoftext|>', '<|endoftext|> hi <|fim_prefix|>',
  'HELLOworld', 'helloWORLD', 'CamelCaseWordsHere', 'iPhone XML HTTPRequest', 'ABCdef\'s',
  'ǅungla ǅUNGLA', 'ʰʲʷ ˢᵗ', 'a\u0300\u0300\u0300', '\u0300\u0300', ' \u0300', '!\u0300',
  // Assigned after Unicode 15.0 (ICU 72 does not know them; tiktoken's regex does, up to 16.0).
  '`\u{1364a}[X', 'a\u0897\'s', '\u{10d5e},w', '\u{2ebf0}\u{2ebf1}x', 'A\ua7cb\'S', '\u{323b0}\'s',
  '\ud800 lone surrogate \udfff', '\ufffd\ufffd replacement', '\x01\x02\x7f control \x1b[0m',
];

function adversarial() {
  return [
    'a'.repeat(5000), 'A'.repeat(3000), ' '.repeat(3000), ' '.repeat(3000) + 'x', '\n'.repeat(2000),
    '1'.repeat(1000), '!'.repeat(3000), 'ab'.repeat(2000), '你'.repeat(1000), '😀'.repeat(500),
    ' \n'.repeat(1000), "'s".repeat(500), 'x '.repeat(2000), '\u0301'.repeat(1000),
    'aA'.repeat(1000), '.\n'.repeat(500), 'z'.repeat(200) + ' ' + 'zz'.repeat(100),
  ];
}

function randomText(rand, len) {
  const ranges = [
    [0x20, 0x7e, 40], [0x09, 0x0d, 4], [0xa0, 0x24f, 8], [0x300, 0x36f, 4], [0x370, 0x52f, 5],
    [0x590, 0x6ff, 5], [0x900, 0xdff, 5], [0x1e00, 0x1fff, 3], [0x2000, 0x206f, 4],
    [0x2070, 0x2bff, 3], [0x3000, 0x30ff, 4], [0x4e00, 0x9fff, 5], [0xac00, 0xd7a3, 3],
    [0xe000, 0xf8ff, 1], [0xf900, 0xfffd, 3], [0x10000, 0x1ffff, 3], [0x1f300, 0x1faff, 4],
    [0x20000, 0x10ffff, 1],
    // Blocks filled in Unicode 15.1, 16.0 and 17.0, which ICU 72 does not know (see
    // tools/tokenizer_unicode_table.js): Garay, Tulu-Tigalari, Egyptian Hieroglyphs Extended-A,
    // Kirat Rai, Legacy Computing Supplement, CJK Extensions I and J, Latin and Cyrillic additions.
    [0x10d40, 0x10d8f, 1], [0x11380, 0x113ff, 1], [0x13460, 0x143ff, 1], [0x16d40, 0x16d7f, 1],
    [0x1cc00, 0x1ceff, 1], [0x2ebf0, 0x2ee5d, 1], [0x323b0, 0x3347f, 1], [0xa7c0, 0xa7ff, 1],
    [0x1c80, 0x1c8f, 1], [0x16ea0, 0x16edf, 1], [0x11db0, 0x11def, 1], [0x1e6c0, 0x1e6ff, 1],
  ];
  const total = ranges.reduce((s, r) => s + r[2], 0);
  let out = '';
  for (let i = 0; i < len; i++) {
    let w = rand() * total;
    let r = ranges[0];
    for (const x of ranges) {
      if ((w -= x[2]) < 0) { r = x; break; }
    }
    let cp = r[0] + Math.floor(rand() * (r[1] - r[0] + 1));
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    out += String.fromCodePoint(cp);
  }
  return out;
}

// Mixes of the other items' fragments, so boundaries between scripts and classes get exercised.
function shuffledMixes(rand, pool, count) {
  const out = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    const parts = 2 + Math.floor(rand() * 6);
    for (let k = 0; k < parts; k++) {
      const src = pool[Math.floor(rand() * pool.length)];
      const cps = Array.from(src);
      const a = Math.floor(rand() * cps.length);
      const b = Math.min(cps.length, a + 1 + Math.floor(rand() * 40));
      s += cps.slice(a, b).join('');
    }
    out.push(s);
  }
  return out;
}

// Short strings over an alphabet of exactly the characters the patterns treat specially (case,
// marks, Lm/Lt letters, contraction letters, the spaces and newlines, numbers of several kinds,
// '/', ZWJ, 'ſ'), where the backtracking cases meet densely.
const TRICKY = Array.from("aAǅʰ中\u0301\u0300'sStTlLerRvVmMdD \n\r\t\u00a01٣²!/.😀\u200dſ\u3000\u000bK\u0345Ⅻ_-");

function trickyText(rand) {
  let s = '';
  const n = 1 + Math.floor(rand() * 30);
  for (let k = 0; k < n; k++) s += TRICKY[Math.floor(rand() * TRICKY.length)];
  return s;
}

function tokenizerCorpus() {
  const rand = prng(20261202);
  const base = [PROSE, ...CODE, ...SCRIPTS, ...EDGES];
  const random = [];
  for (let i = 0; i < 300; i++) random.push(randomText(rand, 1 + Math.floor(rand() * 200)));
  const tricky = [];
  for (let i = 0; i < 2000; i++) tricky.push(trickyText(rand));
  return [
    ...base, ...adversarial(), ...random, ...tricky, ...shuffledMixes(rand, base.concat(random), 400),
  ].map((s) => s.replace(/\0/g, ' '));
}

module.exports = { tokenizerCorpus, prng, randomText };
