// Arbor's copy of the fb303 base service.
//
// Hive's ThriftHiveMetastore extends this service, so every metastore client
// knows these methods and some of them call them (HiveMetaStoreClient.close()
// sends shutdown()). Names, argument ids and types follow Apache Thrift's
// contrib/fb303/if/fb303.thrift; the text here is our own.

namespace cpp facebook.fb303
namespace py fb303

// Coarse health of a service, as answered by getStatus().
enum fb_status {
  DEAD = 0,
  STARTING = 1,
  ALIVE = 2,
  STOPPING = 3,
  STOPPED = 4,
  WARNING = 5,
}

service FacebookService {
  // Service name and version strings.
  string getName(),
  string getVersion(),

  // Health, and a human-readable explanation of it.
  fb_status getStatus(),
  string getStatusDetails(),

  // Named 64-bit counters.
  map<string, i64> getCounters(),
  i64 getCounter(1: string key),

  // Runtime options.
  void setOption(1: string key, 2: string value),
  string getOption(1: string key),
  map<string, string> getOptions(),

  // Profile for the given number of seconds; the format is up to the server.
  string getCpuProfile(1: i32 profileDurationInSec),

  // Unix time (seconds) at which the server started.
  i64 aliveSince(),

  // Fire-and-forget requests: reload configuration / stop. Arbor treats both
  // as no-ops (Hive clients send shutdown() on every close()).
  oneway void reinitialize(),
  oneway void shutdown(),
}
