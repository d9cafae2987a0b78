// Keeps the library non-empty until its first codec lands.
