#include "engine/telemetry/pg_connection.h"

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

std::optional<std::vector<std::vector<std::string>>> PgConnection::query(
    const std::string& sql, const std::vector<std::string>& values, std::string& error) {
  std::vector<const char*> params;
  params.reserve(values.size());
  for (const std::string& v : values) params.push_back(v.c_str());
  Result res(PQexecParams(conn_, sql.c_str(), int(params.size()), nullptr, params.data(), nullptr,
                          nullptr, 0));
  const ExecStatusType st = PQresultStatus(res.r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    error = scrubbed(res.r ? PQresultErrorMessage(res.r) : PQerrorMessage(conn_));
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
  Result res(PQexec(conn_, sql));
  if (PQresultStatus(res.r) == PGRES_COMMAND_OK) return true;
  error = scrubbed(res.r ? PQresultErrorMessage(res.r) : PQerrorMessage(conn_));
  return false;
}

}  // namespace ringgate::telemetry
