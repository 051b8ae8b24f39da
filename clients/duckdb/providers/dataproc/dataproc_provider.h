// The `dataproc` provider: a Google Dataproc Metastore service, found through the
// Dataproc Metastore REST API (projects.locations.services.get, authenticated with
// Google's Application Default Credentials or a service-account key) and then served
// by the `hive` provider over the service's Thrift endpoint.
//
// ATTACH 'dataproc://projects/P/locations/L/services/S' AS lake
//   (TYPE metastore, PROVIDER dataproc [, CREDENTIALS_FILE '/key.json'])
// or ATTACH 'dataproc://' with PROJECT, LOCATION and SERVICE options. Other options:
// api_endpoint (default https://metastore.googleapis.com), access_token, user.
// A service whose endpoint protocol is gRPC is refused with a "not supported yet"
// error naming it; discovery happens once, at ATTACH.
#pragma once

#include "clients/duckdb/metastore/provider_config.h"

namespace arbor::metastore {

ProviderFactory DataprocProviderFactory();

}  // namespace arbor::metastore
