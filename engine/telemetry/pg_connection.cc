#include "engine/telemetry/pg_connection.h"

#include <poll.h>

namespace ringgate::telemetry {
namespace {

// The password libpq would use from `conninfo` (keyword form or URI), "" for none; nullopt when
// libpq cannot parse it (then its message may quote the string, so it is not shown).
std::optional<std::string> password_in(const std::string& conninfo) {
  char* why = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &why);
  PQfreemem(why);
  if (!options) return std::nullopt;
  std::string password;
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val) password = o->val;
  }
  PQconninfoFree(options);
  return password;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

struct PgConnection::Result {
  explicit Result(PGresult* r) : r(r) {}
  ~Result() { PQclear(r); }
  PGresult* r;
};

std::unique_ptr<PgConnection> PgConnection::connect(const std::string& conninfo,
                                                    std::string& error) {
  std::optional<std::string> password = password_in(conninfo);
  if (!password) {
    error =
        "the postgres connection string could not be parsed (not shown: it may hold a "
        "password)";
    return nullptr;
  }
  // Ours first: the operator's string (expanded from dbname) overrides them.
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"5", "ringgate", conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, 1);
  std::unique_ptr<PgConnection> c(new PgConnection(conn, std::move(*password)));
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    error = c->scrubbed(conn ? PQerrorMessage(conn) : "out of memory");
    return nullptr;
  }
  // The server's notices ("relation already exists, skipping") are not the gateway's log.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return c;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

std::string PgConnection::scrubbed(std::string message) const {
  message = trimmed(std::move(message));
  if (password_.empty()) return message;
  for (size_t at; (at = message.find(password_)) != std::string::npos;)
    message.replace(at, password_.size(), "***");
  return message;
}

std::string PgConnection::where() const {
  const char* host = PQhost(conn_);
  const char* port = PQport(conn_);
  const char* db = PQdb(conn_);
  return std::string(host ? host : "?") + ":" + (port ? port : "?") + "/" + (db ? db : "?");
}

// Waits for the socket (POLLIN, plus POLLOUT while `writing`) until `deadline`; false when the
// deadline passed.
bool PgConnection::wait_socket(bool writing, std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{PQsocket(conn_), short(POLLIN | (writing ? POLLOUT : 0)), 0};
  return poll(&p, 1, int(left.count())) >= 0;
}

// Sends what libpq queued and collects the statement's results, never past kStatementDeadline:
// a server that accepts and then never answers (stopped, or a dead peer) cannot hold the
// shipper's thread, nor the gateway's stop waiting for it. The last result, or null with `error`.
PGresult* PgConnection::finish_statement(std::string& error) {
  const auto deadline = std::chrono::steady_clock::now() + kStatementDeadline;
  int flushed;
  while ((flushed = PQflush(conn_)) == 1) {
    if (!wait_socket(true, deadline) || !PQconsumeInput(conn_)) return give_up(error, nullptr);
  }
  if (flushed < 0) return give_up(error, nullptr);
  PGresult* last = nullptr;
  for (;;) {
    while (!PQisBusy(conn_)) {
      PGresult* r = PQgetResult(conn_);
      if (!r) return last;
      const ExecStatusType st = PQresultStatus(r);
      // Keep the first failure: it says why the statement failed.
      if (last && (PQresultStatus(last) == PGRES_FATAL_ERROR || st == PGRES_COMMAND_OK)) {
        PQclear(r);
        continue;
      }
      PQclear(last);
      last = r;
    }
    if (!wait_socket(false, deadline) || !PQconsumeInput(conn_)) return give_up(error, last);
  }
}

PGresult* PgConnection::give_up(std::string& error, PGresult* partial) {
  PQclear(partial);
  const std::string why = PQerrorMessage(conn_);
  error = why.empty()
              ? "postgres: no answer within " + std::to_string(kStatementDeadline.count()) + " s"
              : scrubbed(why);
  gave_up_ = true;  // the connection is in an unknown state: broken() from now on
  return nullptr;
}

std::optional<std::vector<std::vector<std::string>>> PgConnection::query(
    const std::string& sql, const std::vector<std::string>& values, std::string& error) {
  std::vector<const char*> params;
  params.reserve(values.size());
  for (const std::string& v : values) params.push_back(v.c_str());
  if (!PQsendQueryParams(conn_, sql.c_str(), int(params.size()), nullptr, params.data(), nullptr,
                         nullptr, 0)) {
    error = scrubbed(PQerrorMessage(conn_));
    return std::nullopt;
  }
  Result res(finish_statement(error));
  if (!res.r) return std::nullopt;
  const ExecStatusType st = PQresultStatus(res.r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    error = scrubbed(PQresultErrorMessage(res.r));
    if (error.empty()) error = "postgres: " + std::string(PQresStatus(st));
    return std::nullopt;
  }
  std::vector<std::vector<std::string>> rows(size_t(PQntuples(res.r)));
  const int columns = PQnfields(res.r);
  for (size_t i = 0; i < rows.size(); ++i) {
    for (int c = 0; c < columns; ++c) rows[i].emplace_back(PQgetvalue(res.r, int(i), c));
  }
  return rows;
}

bool PgConnection::run(const std::string& sql, const std::vector<std::string>& values,
                       std::string& error) {
  return query(sql, values, error).has_value();
}

bool PgConnection::run_script(const char* sql, std::string& error) {
  if (!PQsendQuery(conn_, sql)) {
    error = scrubbed(PQerrorMessage(conn_));
    return false;
  }
  Result res(finish_statement(error));
  if (!res.r) return false;
  if (PQresultStatus(res.r) == PGRES_COMMAND_OK) return true;
  error = scrubbed(PQresultErrorMessage(res.r));
  return false;
}

}  // namespace ringgate::telemetry
