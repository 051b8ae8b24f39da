//! Dataproc Metastore discovery: asks the Dataproc Metastore REST API (v1
//! projects.locations.services.get) for a service's endpoint, authenticated with
//! Google's Application Default Credentials through gcp_auth, and hands back the
//! Thrift URI for the hive provider. Only discovery lives here; the metadata itself is
//! read over Thrift.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;

use crate::error::{CloudError, Code};

const DEFAULT_API: &str = "https://metastore.googleapis.com";
const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";

#[derive(Default)]
pub struct DataprocConfig {
    pub project: Option<String>,
    pub location: Option<String>,
    pub service: Option<String>,
    pub api_endpoint: Option<String>,
    pub credentials_file: Option<String>,
    pub access_token: Option<String>,
    pub timeout_ms: u32,
}

pub struct Service {
    pub name: String,
    pub endpoint_uri: String,
    pub endpoint_protocol: String,
    pub state: String,
    pub hive_version: String,
    pub auth_method: String,
}

fn required<'a>(value: &'a Option<String>, what: &str) -> Result<&'a str, CloudError> {
    match value.as_deref() {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(CloudError::new(
            Code::InvalidArgument,
            format!("dataproc: {what} is required"),
        )),
    }
}

/// A token and a description of where it came from (for the debug output).
async fn token(c: &DataprocConfig, service: &str) -> Result<(String, String), CloudError> {
    if let Some(t) = c.access_token.as_deref().filter(|t| !t.is_empty()) {
        return Ok((t.to_string(), "access token".to_string()));
    }
    let auth_err = |e: gcp_auth::Error| {
        CloudError::new(
            Code::AccessDenied,
            format!("dataproc GetService({service}): no Google credentials: {e}"),
        )
    };
    let (provider, method): (Arc<dyn gcp_auth::TokenProvider>, String) =
        match c.credentials_file.as_deref() {
            Some(path) if !path.is_empty() => (
                Arc::new(gcp_auth::CustomServiceAccount::from_file(path).map_err(auth_err)?),
                format!("service-account key {path}"),
            ),
            _ => {
                let p = gcp_auth::provider().await.map_err(auth_err)?;
                let method = format!("application default credentials ({})", p_kind());
                (p, method)
            }
        };
    let auth_method = &method;
    let token = provider.token(&[SCOPE]).await.map_err(|e| {
        CloudError::new(Code::AccessDenied, format!("dataproc GetService({service}): no OAuth token for the credentials ({auth_method}): {e}"))
    })?;
    Ok((token.as_str().to_string(), method))
}

/// Which ADC source gcp_auth picks first: the order is theirs (environment key file,
/// gcloud's ADC file, metadata server, gcloud CLI); this only names the likely one.
fn p_kind() -> &'static str {
    if std::env::var_os("GOOGLE_APPLICATION_CREDENTIALS").is_some() {
        "GOOGLE_APPLICATION_CREDENTIALS"
    } else {
        "gcloud config or metadata server"
    }
}

pub fn resolve(c: &DataprocConfig) -> Result<Service, CloudError> {
    let project = required(&c.project, "PROJECT")?;
    let location = required(&c.location, "LOCATION")?;
    let service_id = required(&c.service, "SERVICE")?;
    let name = format!("projects/{project}/locations/{location}/services/{service_id}");
    let api = c
        .api_endpoint
        .as_deref()
        .filter(|a| !a.is_empty())
        .unwrap_or(DEFAULT_API);
    let url = format!("{}/v1/{name}", api.trim_end_matches('/'));
    let timeout = Duration::from_millis(if c.timeout_ms > 0 {
        c.timeout_ms.into()
    } else {
        30_000
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            CloudError::new(
                Code::Internal,
                format!("dataproc: cannot start its runtime: {e}"),
            )
        })?;
    let work = async {
        let (token, auth_method) = token(c, &name).await?;
        let (status, body) = get(&url, &token, &name).await?;
        interpret(&name, status, &body, auth_method)
    };
    runtime.block_on(async {
        match tokio::time::timeout(timeout, work).await {
            Ok(result) => result,
            Err(_) => Err(CloudError::new(
                Code::Unavailable,
                format!(
                    "dataproc GetService({name}): timed out after {} ms",
                    timeout.as_millis()
                ),
            )),
        }
    })
}

async fn get(url: &str, token: &str, name: &str) -> Result<(u16, Vec<u8>), CloudError> {
    let fail = |kind: Code, what: String| {
        CloudError::new(kind, format!("dataproc GetService({name}): {what}"))
    };
    let uri: hyper::Uri = url.parse().map_err(|e| {
        fail(
            Code::InvalidArgument,
            format!("bad API endpoint {url}: {e}"),
        )
    })?;
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|e| fail(Code::Internal, format!("no TLS root certificates: {e}")))?
        .https_or_http()
        .enable_http1()
        .build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build::<_, Empty<Bytes>>(https);
    let request = hyper::Request::get(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("accept", "application/json")
        .body(Empty::new())
        .map_err(|e| fail(Code::Internal, e.to_string()))?;
    let response = client
        .request(request)
        .await
        .map_err(|e| fail(Code::Unavailable, format!("cannot reach {url}: {e}")))?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| fail(Code::Unavailable, format!("reading the response: {e}")))?
        .to_bytes();
    Ok((status, body.to_vec()))
}

/// Turns the REST answer into a Service or a coded error (Google's error body is
/// {"error": {"code", "message", "status"}}).
pub fn interpret(
    name: &str,
    status: u16,
    body: &[u8],
    auth_method: String,
) -> Result<Service, CloudError> {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or(serde_json::Value::Null);
    if !(200..300).contains(&status) {
        let message = json["error"]["message"].as_str().unwrap_or("").to_string();
        let google_status = json["error"]["status"].as_str().unwrap_or("").to_string();
        let kind = match (status, google_status.as_str()) {
            (404, _) | (_, "NOT_FOUND") => Code::NotFound,
            (401, _) | (403, _) | (_, "PERMISSION_DENIED") | (_, "UNAUTHENTICATED") => {
                Code::AccessDenied
            }
            (429, _) | (_, "RESOURCE_EXHAUSTED") => Code::Throttled,
            (400, _) | (_, "INVALID_ARGUMENT") => Code::InvalidArgument,
            (500..=599, _) => Code::Unavailable,
            _ => Code::Internal,
        };
        return Err(CloudError::new(
            kind,
            format!("dataproc GetService({name}): HTTP {status} {google_status}: {message}"),
        ));
    }
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let protocol = text(&json["hiveMetastoreConfig"]["endpointProtocol"]);
    // Unset means the service's default, which is Thrift.
    let protocol = if protocol.is_empty() || protocol == "ENDPOINT_PROTOCOL_UNSPECIFIED" {
        "THRIFT".to_string()
    } else {
        protocol
    };
    if protocol != "THRIFT" {
        return Err(CloudError::new(
            Code::Unsupported,
            format!(
                "dataproc service {name} uses the {protocol} endpoint protocol, which is not supported yet (only THRIFT endpoints are)"
            ),
        ));
    }
    let state = text(&json["state"]);
    if !state.is_empty() && state != "ACTIVE" && state != "UPDATING" {
        return Err(CloudError::new(
            Code::Unavailable,
            format!(
                "dataproc service {name} is {state}, not ACTIVE: {}",
                text(&json["stateMessage"])
            ),
        ));
    }
    let endpoint_uri = text(&json["endpointUri"]);
    if !endpoint_uri.starts_with("thrift://") {
        return Err(CloudError::new(
            Code::Internal,
            format!(
                "dataproc service {name}: expected a thrift:// endpointUri, got {endpoint_uri:?}"
            ),
        ));
    }
    Ok(Service {
        name: name.to_string(),
        endpoint_uri,
        endpoint_protocol: protocol,
        state,
        hive_version: text(&json["hiveMetastoreConfig"]["version"]),
        auth_method,
    })
}
