//! The Glue client: one SDK client and one small Tokio runtime per attached catalog.
//! AWS's SDK does the signing, the credential chain and the retries (standard mode:
//! exponential back-off with jitter; ThrottlingException is a throttling error there);
//! this file only builds the configuration, pages through the operations and turns
//! SDK errors into coded, named ones.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_glue::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_glue::types as gt;
use aws_smithy_http_client::tls;

use crate::error::{CloudError, Code};
use crate::model::Arena;

/// Glue's own limits: BatchGetPartition takes 1000 keys, BatchCreatePartition 100 inputs.
const BATCH_GET_LIMIT: usize = 1000;
const BATCH_CREATE_LIMIT: usize = 100;
/// How often BatchGetPartition's unprocessed keys are asked for again before giving up.
const UNPROCESSED_ROUNDS: usize = 10;

#[derive(Default, Clone)]
pub struct GlueConfig {
    pub region: Option<String>,
    pub endpoint: Option<String>,
    pub catalog_id: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub session_token: Option<String>,
    pub profile: Option<String>,
    pub role_arn: Option<String>,
    pub role_session_name: Option<String>,
    pub external_id: Option<String>,
    pub max_attempts: u32,
    pub initial_backoff_ms: u32,
    pub max_backoff_ms: u32,
    pub timeout_ms: u32,
}

pub struct GlueClient {
    runtime: tokio::runtime::Runtime,
    client: aws_sdk_glue::Client,
    catalog_id: Option<String>,
    description: String,
}

fn op_error<E: ProvideErrorMetadata + std::error::Error + 'static>(
    op: &str,
    what: &str,
    err: SdkError<E, aws_sdk_glue::config::http::HttpResponse>,
) -> CloudError {
    let prefix = if what.is_empty() {
        format!("glue {op}")
    } else {
        format!("glue {op}({what})")
    };
    match &err {
        SdkError::ServiceError(service) => {
            let code = err.code().unwrap_or("");
            let message = err.message().unwrap_or("");
            let status = service.raw().status().as_u16();
            let kind = match code {
                "EntityNotFoundException" => Code::NotFound,
                "AlreadyExistsException" => Code::AlreadyExists,
                "InvalidInputException" | "ValidationException" => Code::InvalidArgument,
                "ThrottlingException" | "Throttling" | "TooManyRequestsException" => {
                    Code::Throttled
                }
                "AccessDeniedException"
                | "UnrecognizedClientException"
                | "InvalidSignatureException"
                | "IncompleteSignature"
                | "ExpiredTokenException"
                | "InvalidClientTokenId"
                | "MissingAuthenticationToken" => Code::AccessDenied,
                _ if status == 403 || status == 401 => Code::AccessDenied,
                _ if status == 404 => Code::NotFound,
                _ => Code::Internal,
            };
            let hint = match kind {
                Code::Throttled => " (still throttled after the retries)",
                Code::AccessDenied => " (check the credentials and their permissions)",
                _ => "",
            };
            if code.is_empty() {
                // Not Glue's JSON error shape (e.g. a proxy in between): show the body.
                let body = service.raw().body().bytes().unwrap_or_default();
                let body = String::from_utf8_lossy(&body[..body.len().min(300)]).replace('\n', " ");
                return CloudError::new(
                    kind,
                    format!("{prefix}: HTTP {status}: {}{hint}", body.trim()),
                );
            }
            CloudError::new(kind, format!("{prefix}: {code}: {message}{hint}"))
        }
        SdkError::TimeoutError(_) => CloudError::new(
            Code::Unavailable,
            format!("{prefix}: timed out: {}", chain(&err)),
        ),
        SdkError::DispatchFailure(_) => {
            let text = chain(&err);
            let kind = if text.contains("credential") {
                Code::AccessDenied
            } else {
                Code::Unavailable
            };
            CloudError::new(kind, format!("{prefix}: {text}"))
        }
        _ => {
            let text = chain(&err);
            let kind = if text.contains("credential") {
                Code::AccessDenied
            } else {
                Code::Internal
            };
            CloudError::new(kind, format!("{prefix}: {text}"))
        }
    }
}

/// The error and its sources, "outer: inner: ..." (the SDK's DisplayErrorContext adds
/// a Debug dump users do not need).
fn chain(err: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if parts.last().map(|l| !l.contains(&text)).unwrap_or(true) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

fn describe(c: &GlueConfig) -> String {
    let auth = match (&c.access_key_id, &c.session_token) {
        (Some(_), Some(_)) => "static keys + session token".to_string(),
        (Some(_), None) => "static keys".to_string(),
        _ => match &c.profile {
            Some(p) => format!("default credential chain (profile {p})"),
            None => "default credential chain".to_string(),
        },
    };
    let auth = match &c.role_arn {
        Some(r) => format!("{auth}, assuming {r}"),
        None => auth,
    };
    format!(
        "provider=glue region={} endpoint={} catalog_id={} auth={auth}",
        c.region.as_deref().unwrap_or("(default chain)"),
        c.endpoint.as_deref().unwrap_or("(AWS)"),
        c.catalog_id.as_deref().unwrap_or("(caller's account)"),
    )
}

impl GlueClient {
    pub fn new(config: GlueConfig) -> Result<GlueClient, CloudError> {
        if config.access_key_id.is_some() != config.secret_access_key.is_some() {
            return Err(CloudError::new(
                Code::InvalidArgument,
                "glue: KEY_ID and SECRET must be given together",
            ));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("arbor-glue")
            .enable_all()
            .build()
            .map_err(|e| {
                CloudError::new(
                    Code::Internal,
                    format!("glue: cannot start its runtime: {e}"),
                )
            })?;
        let description = describe(&config);
        let client = runtime.block_on(build_client(&config))?;
        Ok(GlueClient {
            runtime,
            client,
            catalog_id: config.catalog_id,
            description,
        })
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn get_databases(
        &self,
        next_token: Option<String>,
        max_results: i32,
    ) -> Result<Arena, CloudError> {
        let out = self.runtime.block_on(
            self.client
                .get_databases()
                .set_catalog_id(self.catalog_id.clone())
                .set_next_token(next_token)
                .set_max_results((max_results > 0).then_some(max_results))
                .send(),
        );
        let out = out.map_err(|e| op_error("GetDatabases", "", e))?;
        let mut arena = Arena::default();
        for d in out.database_list() {
            arena.add_database(d);
        }
        arena.set_next_token(out.next_token());
        Ok(arena)
    }

    pub fn get_database(&self, database: &str) -> Result<Arena, CloudError> {
        let out = self.runtime.block_on(
            self.client
                .get_database()
                .set_catalog_id(self.catalog_id.clone())
                .name(database)
                .send(),
        );
        let out = out.map_err(|e| op_error("GetDatabase", database, e))?;
        let mut arena = Arena::default();
        match out.database() {
            Some(d) => arena.add_database(d),
            None => {
                return Err(CloudError::new(
                    Code::NotFound,
                    format!("glue GetDatabase({database}): no database returned"),
                ))
            }
        }
        Ok(arena)
    }

    pub fn create_database(&self, input: gt::DatabaseInput) -> Result<(), CloudError> {
        let what = input.name().to_string();
        let out = self.runtime.block_on(
            self.client
                .create_database()
                .set_catalog_id(self.catalog_id.clone())
                .database_input(input)
                .send(),
        );
        out.map(|_| ())
            .map_err(|e| op_error("CreateDatabase", &what, e))
    }

    pub fn delete_database(&self, database: &str) -> Result<(), CloudError> {
        let out = self.runtime.block_on(
            self.client
                .delete_database()
                .set_catalog_id(self.catalog_id.clone())
                .name(database)
                .send(),
        );
        out.map(|_| ())
            .map_err(|e| op_error("DeleteDatabase", database, e))
    }

    pub fn update_table(&self, database: &str, input: gt::TableInput) -> Result<(), CloudError> {
        let what = format!("{database}.{}", input.name());
        let out = self.runtime.block_on(
            self.client
                .update_table()
                .set_catalog_id(self.catalog_id.clone())
                .database_name(database)
                .table_input(input)
                .send(),
        );
        out.map(|_| ())
            .map_err(|e| op_error("UpdateTable", &what, e))
    }

    pub fn get_tables(
        &self,
        database: &str,
        next_token: Option<String>,
        max_results: i32,
    ) -> Result<Arena, CloudError> {
        let out = self.runtime.block_on(
            self.client
                .get_tables()
                .set_catalog_id(self.catalog_id.clone())
                .database_name(database)
                .set_next_token(next_token)
                .set_max_results((max_results > 0).then_some(max_results))
                .send(),
        );
        let out = out.map_err(|e| op_error("GetTables", database, e))?;
        let mut arena = Arena::default();
        for t in out.table_list() {
            arena.add_table(t, database);
        }
        arena.set_next_token(out.next_token());
        Ok(arena)
    }

    pub fn get_table(&self, database: &str, table: &str) -> Result<Arena, CloudError> {
        let what = format!("{database}.{table}");
        let out = self.runtime.block_on(
            self.client
                .get_table()
                .set_catalog_id(self.catalog_id.clone())
                .database_name(database)
                .name(table)
                .send(),
        );
        let out = out.map_err(|e| op_error("GetTable", &what, e))?;
        let mut arena = Arena::default();
        match out.table() {
            Some(t) => arena.add_table(t, database),
            None => {
                return Err(CloudError::new(
                    Code::NotFound,
                    format!("glue GetTable({what}): no table returned"),
                ))
            }
        }
        Ok(arena)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn get_partitions(
        &self,
        database: &str,
        table: &str,
        expression: Option<String>,
        segment_number: i32,
        total_segments: i32,
        next_token: Option<String>,
        max_results: i32,
    ) -> Result<Arena, CloudError> {
        let what = format!("{database}.{table}");
        let segment = if total_segments > 0 {
            Some(
                gt::Segment::builder()
                    .segment_number(segment_number)
                    .total_segments(total_segments)
                    .build()
                    .map_err(|e| {
                        CloudError::new(
                            Code::InvalidArgument,
                            format!("glue GetPartitions({what}): {e}"),
                        )
                    })?,
            )
        } else {
            None
        };
        let out = self.runtime.block_on(
            self.client
                .get_partitions()
                .set_catalog_id(self.catalog_id.clone())
                .database_name(database)
                .table_name(table)
                .set_expression(expression.filter(|e| !e.is_empty()))
                .set_segment(segment)
                .set_next_token(next_token)
                .set_max_results((max_results > 0).then_some(max_results))
                .send(),
        );
        let out = out.map_err(|e| op_error("GetPartitions", &what, e))?;
        let mut arena = Arena::default();
        for p in out.partitions() {
            arena.add_partition(p);
        }
        arena.set_next_token(out.next_token());
        Ok(arena)
    }

    pub fn batch_get_partition(
        &self,
        database: &str,
        table: &str,
        keys: Vec<Vec<String>>,
    ) -> Result<Arena, CloudError> {
        let what = format!("{database}.{table}");
        let mut arena = Arena::default();
        for chunk in keys.chunks(BATCH_GET_LIMIT) {
            let mut pending: Vec<gt::PartitionValueList> = Vec::with_capacity(chunk.len());
            for values in chunk {
                let key = gt::PartitionValueList::builder()
                    .set_values(Some(values.clone()))
                    .build()
                    .map_err(|e| {
                        CloudError::new(
                            Code::InvalidArgument,
                            format!("glue BatchGetPartition({what}): {e}"),
                        )
                    })?;
                pending.push(key);
            }
            let mut rounds = 0;
            while !pending.is_empty() {
                rounds += 1;
                if rounds > UNPROCESSED_ROUNDS {
                    return Err(CloudError::new(
                        Code::Throttled,
                        format!("glue BatchGetPartition({what}): {} keys still unprocessed after {UNPROCESSED_ROUNDS} rounds", pending.len()),
                    ));
                }
                let out = self.runtime.block_on(
                    self.client
                        .batch_get_partition()
                        .set_catalog_id(self.catalog_id.clone())
                        .database_name(database)
                        .table_name(table)
                        .set_partitions_to_get(Some(std::mem::take(&mut pending)))
                        .send(),
                );
                let out = out.map_err(|e| op_error("BatchGetPartition", &what, e))?;
                for p in out.partitions() {
                    arena.add_partition(p);
                }
                pending = out.unprocessed_keys().to_vec();
            }
        }
        Ok(arena)
    }

    pub fn create_table(&self, database: &str, input: gt::TableInput) -> Result<(), CloudError> {
        let what = format!("{database}.{}", input.name());
        let out = self.runtime.block_on(
            self.client
                .create_table()
                .set_catalog_id(self.catalog_id.clone())
                .database_name(database)
                .table_input(input)
                .send(),
        );
        out.map(|_| ())
            .map_err(|e| op_error("CreateTable", &what, e))
    }

    pub fn batch_create_partition(
        &self,
        database: &str,
        table: &str,
        inputs: Vec<gt::PartitionInput>,
        if_not_exists: bool,
    ) -> Result<(), CloudError> {
        let what = format!("{database}.{table}");
        for chunk in inputs.chunks(BATCH_CREATE_LIMIT) {
            let out = self.runtime.block_on(
                self.client
                    .batch_create_partition()
                    .set_catalog_id(self.catalog_id.clone())
                    .database_name(database)
                    .table_name(table)
                    .set_partition_input_list(Some(chunk.to_vec()))
                    .send(),
            );
            let out = out.map_err(|e| op_error("BatchCreatePartition", &what, e))?;
            let refused: Vec<&gt::PartitionError> = out
                .errors()
                .iter()
                .filter(|e| {
                    let code = e.error_detail().and_then(|d| d.error_code()).unwrap_or("");
                    !(if_not_exists && code == "AlreadyExistsException")
                })
                .collect();
            if let Some(first) = refused.first() {
                let detail = first.error_detail();
                let code = detail.and_then(|d| d.error_code()).unwrap_or("");
                let kind = match code {
                    "AlreadyExistsException" => Code::AlreadyExists,
                    "EntityNotFoundException" => Code::NotFound,
                    "InvalidInputException" => Code::InvalidArgument,
                    _ => Code::Internal,
                };
                return Err(CloudError::new(
                    kind,
                    format!(
                        "glue BatchCreatePartition({what}): partition {:?} refused ({} of {} in the batch): {code}: {}",
                        first.partition_values(),
                        refused.len(),
                        chunk.len(),
                        detail.and_then(|d| d.error_message()).unwrap_or("")
                    ),
                ));
            }
        }
        Ok(())
    }

    pub fn delete_table(&self, database: &str, table: &str) -> Result<(), CloudError> {
        let what = format!("{database}.{table}");
        let out = self.runtime.block_on(
            self.client
                .delete_table()
                .set_catalog_id(self.catalog_id.clone())
                .database_name(database)
                .name(table)
                .send(),
        );
        out.map(|_| ())
            .map_err(|e| op_error("DeleteTable", &what, e))
    }
}

async fn build_client(c: &GlueConfig) -> Result<aws_sdk_glue::Client, CloudError> {
    // rustls on ring: no second OpenSSL in the extension, and one crypto library shared
    // with the Google client.
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let mut retry = RetryConfig::standard();
    if c.max_attempts > 0 {
        retry = retry.with_max_attempts(c.max_attempts);
    }
    if c.initial_backoff_ms > 0 {
        retry = retry.with_initial_backoff(Duration::from_millis(c.initial_backoff_ms.into()));
    }
    if c.max_backoff_ms > 0 {
        retry = retry.with_max_backoff(Duration::from_millis(c.max_backoff_ms.into()));
    }
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .retry_config(retry);
    if c.timeout_ms > 0 {
        loader = loader.timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(Duration::from_millis(c.timeout_ms.into()))
                .build(),
        );
    }
    if let Some(region) = &c.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(endpoint) = &c.endpoint {
        loader = loader.endpoint_url(endpoint.clone());
    }
    if let Some(profile) = &c.profile {
        loader = loader.profile_name(profile.clone());
    }
    if let (Some(key), Some(secret)) = (&c.access_key_id, &c.secret_access_key) {
        loader = loader.credentials_provider(aws_sdk_glue::config::Credentials::new(
            key.clone(),
            secret.clone(),
            c.session_token.clone(),
            None,
            "arbor-metastore-secret",
        ));
    }
    let mut sdk = loader.load().await;
    if sdk.region().is_none() {
        return Err(CloudError::new(
            Code::InvalidArgument,
            "glue: no region: set REGION in the secret or ATTACH options, or AWS_REGION / a profile's region",
        ));
    }
    if let Some(role) = &c.role_arn {
        let mut builder = aws_config::sts::AssumeRoleProvider::builder(role.clone()).session_name(
            c.role_session_name
                .clone()
                .unwrap_or_else(|| "arbor-duckdb".to_string()),
        );
        if let Some(id) = &c.external_id {
            builder = builder.external_id(id.clone());
        }
        let provider = builder.configure(&sdk).build().await;
        sdk = sdk
            .into_builder()
            .credentials_provider(aws_sdk_glue::config::SharedCredentialsProvider::new(
                provider,
            ))
            .build();
    }
    Ok(aws_sdk_glue::Client::new(&sdk))
}

// ---- Building Glue inputs from the C model ----

pub fn column_input(
    name: String,
    type_: Option<String>,
    comment: Option<String>,
) -> Result<gt::Column, CloudError> {
    gt::Column::builder()
        .name(name)
        .set_type(type_)
        .set_comment(comment)
        .build()
        .map_err(|e| CloudError::new(Code::InvalidArgument, format!("glue: bad column: {e}")))
}
