// Constraints and the notification log.
//
// Constraints: Arbor stores no primary, foreign, unique, not-null, default or check
// constraints, so every table truthfully has none, and the getters answer with
// empty lists: every list field is set, because Hive's planner iterates them
// without null checks. As in HMS, which reads constraints by name without looking
// the table up, a table that does not exist has none either; the database name is
// still parsed, so a malformed one fails.
//
// Notifications: Arbor writes no notification log. The current event id is 0 and
// there are no events after any id: that is the true state of a log that is always
// empty, not a pretence of event support. Pollers (HS2's NotificationEventPoll,
// Impala, StarRocks) then see no changes, which is also what they would see from an
// HMS with event logging off.
#include "server/hms/hms_handler.h"

namespace arbor::hms {

using hive::AllTableConstraintsRequest;
using hive::AllTableConstraintsResponse;
using hive::CheckConstraintsRequest;
using hive::CheckConstraintsResponse;
using hive::CurrentNotificationEventId;
using hive::DefaultConstraintsRequest;
using hive::DefaultConstraintsResponse;
using hive::ForeignKeysRequest;
using hive::ForeignKeysResponse;
using hive::NotificationEventRequest;
using hive::NotificationEventResponse;
using hive::NotNullConstraintsRequest;
using hive::NotNullConstraintsResponse;
using hive::PrimaryKeysRequest;
using hive::PrimaryKeysResponse;
using hive::SQLAllTableConstraints;
using hive::UniqueConstraintsRequest;
using hive::UniqueConstraintsResponse;

void HmsHandler::get_primary_keys(PrimaryKeysResponse& _return, const PrimaryKeysRequest& request) {
  using E = ARBOR_HMS_THROWS(get_primary_keys);
  Parse<E>(request.__isset.db_name ? request.db_name : "");
  _return.__set_primaryKeys({});
}

void HmsHandler::get_foreign_keys(ForeignKeysResponse& _return, const ForeignKeysRequest& request) {
  using E = ARBOR_HMS_THROWS(get_foreign_keys);
  if (request.__isset.parent_db_name) {
    Parse<E>(request.parent_db_name);
  }
  if (request.__isset.foreign_db_name) {
    Parse<E>(request.foreign_db_name);
  }
  _return.__set_foreignKeys({});
}

void HmsHandler::get_unique_constraints(UniqueConstraintsResponse& _return,
                                        const UniqueConstraintsRequest& request) {
  using E = ARBOR_HMS_THROWS(get_unique_constraints);
  Parse<E>(request.__isset.db_name ? request.db_name : "");
  _return.__set_uniqueConstraints({});
}

void HmsHandler::get_not_null_constraints(NotNullConstraintsResponse& _return,
                                          const NotNullConstraintsRequest& request) {
  using E = ARBOR_HMS_THROWS(get_not_null_constraints);
  Parse<E>(request.__isset.db_name ? request.db_name : "");
  _return.__set_notNullConstraints({});
}

void HmsHandler::get_default_constraints(DefaultConstraintsResponse& _return,
                                         const DefaultConstraintsRequest& request) {
  using E = ARBOR_HMS_THROWS(get_default_constraints);
  Parse<E>(request.__isset.db_name ? request.db_name : "");
  _return.__set_defaultConstraints({});
}

void HmsHandler::get_check_constraints(CheckConstraintsResponse& _return,
                                       const CheckConstraintsRequest& request) {
  using E = ARBOR_HMS_THROWS(get_check_constraints);
  Parse<E>(request.__isset.db_name ? request.db_name : "");
  _return.__set_checkConstraints({});
}

void HmsHandler::get_all_table_constraints(AllTableConstraintsResponse& _return,
                                           const AllTableConstraintsRequest& request) {
  using E = ARBOR_HMS_THROWS(get_all_table_constraints);
  Parse<E>(request.__isset.dbName ? request.dbName : "");
  SQLAllTableConstraints all;
  all.__set_primaryKeys({});
  all.__set_foreignKeys({});
  all.__set_uniqueConstraints({});
  all.__set_notNullConstraints({});
  all.__set_defaultConstraints({});
  all.__set_checkConstraints({});
  _return.__set_allTableConstraints(std::move(all));
}

void HmsHandler::get_current_notificationEventId(CurrentNotificationEventId& _return) {
  _return.__set_eventId(0);
}

void HmsHandler::get_next_notification(NotificationEventResponse& _return,
                                       const NotificationEventRequest& rqst) {
  (void)rqst;
  _return.__set_events({});
}

}  // namespace arbor::hms
