// One blocking libpq connection to the fleet ledger, for the shipper's thread and `ringgate
// usage`. The connection string holds a password: no message from here ever contains it (libpq's
// own messages are scrubbed of it), and where() names only host, port and database.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ringgate::telemetry {

class PgConnection {
 public:
  // null with `error` (scrubbed) when the server is not reachable or refuses us.
  static std::unique_ptr<PgConnection> connect(const std::string& conninfo, std::string& error);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // One statement with text parameters; false with the server's (scrubbed) message.
  bool run(const std::string& sql, const std::vector<std::string>& values, std::string& error);
  // The same, returning the result rows as text ("" for NULL).
  std::optional<std::vector<std::vector<std::string>>> query(const std::string& sql,
                                                             const std::vector<std::string>& values,
                                                             std::string& error);
  // Several statements, no parameters (the schema).
  bool run_script(const char* sql, std::string& error);

  bool broken() const { return gave_up_ || PQstatus(conn_) != CONNECTION_OK; }
  // "host:port/dbname": what logs and /readyz show.
  std::string where() const;

 private:
  PgConnection(PGconn* conn, std::string password) : conn_(conn), password_(std::move(password)) {}
  struct Result;
  std::string scrubbed(std::string message) const;
  bool wait_socket(bool writing, std::chrono::steady_clock::time_point deadline);
  PGresult* finish_statement(std::string& error);
  PGresult* give_up(std::string& error, PGresult* partial);

  static constexpr std::chrono::seconds kStatementDeadline{10};

  PGconn* conn_;
  std::string password_;  // only to scrub it out of messages
  bool gave_up_ = false;  // a statement passed its deadline
};

}  // namespace ringgate::telemetry
