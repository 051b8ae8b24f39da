//! arbor_cloud: the C ABI of include/arbor_cloud.h. Each entry point checks its
//! arguments, runs the operation inside catch_unwind (a panic must never cross into
//! C++), and hands back either an owned result or an owned error.

mod dataproc;
mod error;
mod glue;
mod model;

use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use aws_sdk_glue::types as gt;

use error::{into_ffi, CloudError, Code, FfiError};
use glue::{GlueClient, GlueConfig};
use model::{
    read_kvs, read_opt, read_str_list, slice, Arena, Column, Database, PageView, Partition,
    PartitionValues, Storage, Table,
};

pub use dataproc::{interpret as dataproc_interpret, DataprocConfig};

type ErrPtr = *mut FfiError;

/// Runs `f`, turning a panic into an internal error naming `what`.
fn guard(what: &str, f: impl FnOnce() -> Result<(), CloudError>) -> ErrPtr {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => ptr::null_mut(),
        Ok(Err(e)) => into_ffi(e),
        Err(_) => into_ffi(CloudError::new(
            Code::Internal,
            format!("{what}: internal panic"),
        )),
    }
}

fn need(p: *const c_char, what: &str, op: &str) -> Result<String, CloudError> {
    unsafe { read_opt(p) }
        .filter(|s| !s.is_empty())
        .ok_or_else(|| CloudError::new(Code::InvalidArgument, format!("{op}: {what} is required")))
}

fn check_out<T>(out: *mut T, op: &str) -> Result<(), CloudError> {
    if out.is_null() {
        Err(CloudError::new(
            Code::InvalidArgument,
            format!("{op}: no output pointer"),
        ))
    } else {
        Ok(())
    }
}

// ---- Errors and buffers ----

#[no_mangle]
pub extern "C" fn arbor_cloud_error_code(error: *const FfiError) -> Code {
    if error.is_null() {
        Code::Ok
    } else {
        unsafe { (*error).code }
    }
}

#[no_mangle]
pub extern "C" fn arbor_cloud_error_message(error: *const FfiError) -> *const c_char {
    if error.is_null() {
        c"".as_ptr()
    } else {
        unsafe { error::message_ptr(&*error) }
    }
}

#[no_mangle]
pub extern "C" fn arbor_cloud_error_free(error: *mut FfiError) {
    if !error.is_null() {
        drop(unsafe { Box::from_raw(error) });
    }
}

#[no_mangle]
pub extern "C" fn arbor_cloud_page_free(page: *const PageView) {
    unsafe { model::free_page(page) }
}

#[no_mangle]
pub extern "C" fn arbor_cloud_string_free(s: *mut c_char) {
    if !s.is_null() {
        drop(unsafe { CString::from_raw(s) });
    }
}

// ---- Glue ----

#[repr(C)]
pub struct FfiGlueConfig {
    region: *const c_char,
    endpoint: *const c_char,
    catalog_id: *const c_char,
    access_key_id: *const c_char,
    secret_access_key: *const c_char,
    session_token: *const c_char,
    profile: *const c_char,
    role_arn: *const c_char,
    role_session_name: *const c_char,
    external_id: *const c_char,
    max_attempts: u32,
    initial_backoff_ms: u32,
    max_backoff_ms: u32,
    timeout_ms: u32,
}

fn nonempty(p: *const c_char) -> Option<String> {
    unsafe { read_opt(p) }.filter(|s| !s.is_empty())
}

#[no_mangle]
pub extern "C" fn arbor_glue_client_new(
    config: *const FfiGlueConfig,
    out: *mut *mut GlueClient,
) -> ErrPtr {
    guard("glue", || {
        check_out(out, "glue")?;
        if config.is_null() {
            return Err(CloudError::new(
                Code::InvalidArgument,
                "glue: no configuration",
            ));
        }
        let c = unsafe { &*config };
        let config = GlueConfig {
            region: nonempty(c.region),
            endpoint: nonempty(c.endpoint),
            catalog_id: nonempty(c.catalog_id),
            access_key_id: nonempty(c.access_key_id),
            secret_access_key: nonempty(c.secret_access_key),
            session_token: nonempty(c.session_token),
            profile: nonempty(c.profile),
            role_arn: nonempty(c.role_arn),
            role_session_name: nonempty(c.role_session_name),
            external_id: nonempty(c.external_id),
            max_attempts: c.max_attempts,
            initial_backoff_ms: c.initial_backoff_ms,
            max_backoff_ms: c.max_backoff_ms,
            timeout_ms: c.timeout_ms,
        };
        let client = GlueClient::new(config)?;
        unsafe { *out = Box::into_raw(Box::new(client)) };
        Ok(())
    })
}

#[no_mangle]
pub extern "C" fn arbor_glue_client_free(client: *mut GlueClient) {
    if !client.is_null() {
        drop(unsafe { Box::from_raw(client) });
    }
}

#[no_mangle]
pub extern "C" fn arbor_glue_client_describe(client: *const GlueClient) -> *mut c_char {
    let text = if client.is_null() {
        String::new()
    } else {
        unsafe { (*client).description().to_string() }
    };
    CString::new(text).unwrap_or_default().into_raw()
}

fn client_ref<'a>(client: *mut GlueClient, op: &str) -> Result<&'a GlueClient, CloudError> {
    if client.is_null() {
        Err(CloudError::new(
            Code::InvalidArgument,
            format!("glue {op}: no client"),
        ))
    } else {
        Ok(unsafe { &*client })
    }
}

fn store_page(arena: Arena, out: *mut *const PageView) {
    unsafe { *out = arena.into_page() };
}

#[no_mangle]
pub extern "C" fn arbor_glue_get_databases(
    client: *mut GlueClient,
    next_token: *const c_char,
    max_results: i32,
    out: *mut *const PageView,
) -> ErrPtr {
    guard("glue GetDatabases", || {
        check_out(out, "glue GetDatabases")?;
        let arena =
            client_ref(client, "GetDatabases")?.get_databases(nonempty(next_token), max_results)?;
        store_page(arena, out);
        Ok(())
    })
}

#[no_mangle]
pub extern "C" fn arbor_glue_get_database(
    client: *mut GlueClient,
    database: *const c_char,
    out: *mut *const PageView,
) -> ErrPtr {
    guard("glue GetDatabase", || {
        check_out(out, "glue GetDatabase")?;
        let database = need(database, "database", "glue GetDatabase")?;
        let arena = client_ref(client, "GetDatabase")?.get_database(&database)?;
        store_page(arena, out);
        Ok(())
    })
}

#[no_mangle]
pub extern "C" fn arbor_glue_create_database(
    client: *mut GlueClient,
    database: *const Database,
) -> ErrPtr {
    guard("glue CreateDatabase", || {
        if database.is_null() {
            return Err(CloudError::new(
                Code::InvalidArgument,
                "glue CreateDatabase: no database",
            ));
        }
        let d = unsafe { &*database };
        let name = need(d.name, "database name", "glue CreateDatabase")?;
        let input = gt::DatabaseInput::builder()
            .name(name.clone())
            .set_description(unsafe { read_opt(d.description) })
            .set_location_uri(unsafe { read_opt(d.location) }.filter(|l| !l.is_empty()))
            .set_parameters(unsafe { read_kvs(d.parameters, d.parameter_count) })
            .build()
            .map_err(|e| {
                CloudError::new(
                    Code::InvalidArgument,
                    format!("glue CreateDatabase({name}): {e}"),
                )
            })?;
        client_ref(client, "CreateDatabase")?.create_database(input)
    })
}

#[no_mangle]
pub extern "C" fn arbor_glue_delete_database(
    client: *mut GlueClient,
    database: *const c_char,
) -> ErrPtr {
    guard("glue DeleteDatabase", || {
        let database = need(database, "database", "glue DeleteDatabase")?;
        client_ref(client, "DeleteDatabase")?.delete_database(&database)
    })
}

#[no_mangle]
pub extern "C" fn arbor_glue_get_tables(
    client: *mut GlueClient,
    database: *const c_char,
    next_token: *const c_char,
    max_results: i32,
    out: *mut *const PageView,
) -> ErrPtr {
    guard("glue GetTables", || {
        check_out(out, "glue GetTables")?;
        let database = need(database, "database", "glue GetTables")?;
        let arena = client_ref(client, "GetTables")?.get_tables(
            &database,
            nonempty(next_token),
            max_results,
        )?;
        store_page(arena, out);
        Ok(())
    })
}

#[no_mangle]
pub extern "C" fn arbor_glue_get_table(
    client: *mut GlueClient,
    database: *const c_char,
    table: *const c_char,
    out: *mut *const PageView,
) -> ErrPtr {
    guard("glue GetTable", || {
        check_out(out, "glue GetTable")?;
        let database = need(database, "database", "glue GetTable")?;
        let table = need(table, "table", "glue GetTable")?;
        let arena = client_ref(client, "GetTable")?.get_table(&database, &table)?;
        store_page(arena, out);
        Ok(())
    })
}

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn arbor_glue_get_partitions(
    client: *mut GlueClient,
    database: *const c_char,
    table: *const c_char,
    expression: *const c_char,
    segment_number: i32,
    total_segments: i32,
    next_token: *const c_char,
    max_results: i32,
    out: *mut *const PageView,
) -> ErrPtr {
    guard("glue GetPartitions", || {
        check_out(out, "glue GetPartitions")?;
        let database = need(database, "database", "glue GetPartitions")?;
        let table = need(table, "table", "glue GetPartitions")?;
        let arena = client_ref(client, "GetPartitions")?.get_partitions(
            &database,
            &table,
            nonempty(expression),
            segment_number,
            total_segments,
            nonempty(next_token),
            max_results,
        )?;
        store_page(arena, out);
        Ok(())
    })
}

#[no_mangle]
pub extern "C" fn arbor_glue_batch_get_partition(
    client: *mut GlueClient,
    database: *const c_char,
    table: *const c_char,
    keys: *const PartitionValues,
    key_count: usize,
    out: *mut *const PageView,
) -> ErrPtr {
    guard("glue BatchGetPartition", || {
        check_out(out, "glue BatchGetPartition")?;
        let database = need(database, "database", "glue BatchGetPartition")?;
        let table = need(table, "table", "glue BatchGetPartition")?;
        let keys: Vec<Vec<String>> = unsafe { slice(keys, key_count) }
            .iter()
            .map(|k| unsafe { read_str_list(k.values, k.value_count) })
            .collect();
        let arena = client_ref(client, "BatchGetPartition")?
            .batch_get_partition(&database, &table, keys)?;
        store_page(arena, out);
        Ok(())
    })
}

fn columns_input(p: *const Column, n: usize) -> Result<Option<Vec<gt::Column>>, CloudError> {
    let cols = unsafe { slice(p, n) };
    if cols.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(cols.len());
    for c in cols {
        let name = unsafe { read_opt(c.name) }.unwrap_or_default();
        out.push(glue::column_input(
            name,
            unsafe { read_opt(c.type_) },
            unsafe { read_opt(c.comment) },
        )?);
    }
    Ok(Some(out))
}

fn storage_input(s: &Storage) -> Result<gt::StorageDescriptor, CloudError> {
    let serde = gt::SerDeInfo::builder()
        .set_serialization_library(unsafe { read_opt(s.serde_library) })
        .set_parameters(unsafe { read_kvs(s.serde_parameters, s.serde_parameter_count) })
        .build();
    Ok(gt::StorageDescriptor::builder()
        .set_columns(columns_input(s.columns, s.column_count)?)
        .set_location(unsafe { read_opt(s.location) })
        .set_input_format(unsafe { read_opt(s.input_format) })
        .set_output_format(unsafe { read_opt(s.output_format) })
        .serde_info(serde)
        .build())
}

fn table_input(table: *const Table, op: &str) -> Result<(String, gt::TableInput), CloudError> {
    if table.is_null() {
        return Err(CloudError::new(
            Code::InvalidArgument,
            format!("glue {op}: no table"),
        ));
    }
    let t = unsafe { &*table };
    let database = need(t.database, "database", &format!("glue {op}"))?;
    let name = need(t.name, "table name", &format!("glue {op}"))?;
    let input = gt::TableInput::builder()
        .name(name.clone())
        .set_description(unsafe { read_opt(t.description) })
        .set_owner(unsafe { read_opt(t.owner) })
        .set_table_type(unsafe { read_opt(t.table_type) })
        .storage_descriptor(storage_input(&t.storage)?)
        .set_partition_keys(columns_input(t.partition_keys, t.partition_key_count)?)
        .set_parameters(unsafe { read_kvs(t.parameters, t.parameter_count) })
        .build()
        .map_err(|e| {
            CloudError::new(
                Code::InvalidArgument,
                format!("glue {op}({database}.{name}): {e}"),
            )
        })?;
    Ok((database, input))
}

#[no_mangle]
pub extern "C" fn arbor_glue_create_table(client: *mut GlueClient, table: *const Table) -> ErrPtr {
    guard("glue CreateTable", || {
        let (database, input) = table_input(table, "CreateTable")?;
        client_ref(client, "CreateTable")?.create_table(&database, input)
    })
}

#[no_mangle]
pub extern "C" fn arbor_glue_update_table(client: *mut GlueClient, table: *const Table) -> ErrPtr {
    guard("glue UpdateTable", || {
        let (database, input) = table_input(table, "UpdateTable")?;
        client_ref(client, "UpdateTable")?.update_table(&database, input)
    })
}

#[no_mangle]
pub extern "C" fn arbor_glue_batch_create_partition(
    client: *mut GlueClient,
    database: *const c_char,
    table: *const c_char,
    partitions: *const Partition,
    partition_count: usize,
    if_not_exists: i32,
) -> ErrPtr {
    guard("glue BatchCreatePartition", || {
        let database = need(database, "database", "glue BatchCreatePartition")?;
        let table = need(table, "table", "glue BatchCreatePartition")?;
        let mut inputs = Vec::with_capacity(partition_count);
        for p in unsafe { slice(partitions, partition_count) } {
            inputs.push(
                gt::PartitionInput::builder()
                    .set_values(Some(unsafe { read_str_list(p.values, p.value_count) }))
                    .storage_descriptor(storage_input(&p.storage)?)
                    .set_parameters(unsafe { read_kvs(p.parameters, p.parameter_count) })
                    .build(),
            );
        }
        client_ref(client, "BatchCreatePartition")?.batch_create_partition(
            &database,
            &table,
            inputs,
            if_not_exists != 0,
        )
    })
}

#[no_mangle]
pub extern "C" fn arbor_glue_delete_table(
    client: *mut GlueClient,
    database: *const c_char,
    table: *const c_char,
) -> ErrPtr {
    guard("glue DeleteTable", || {
        let database = need(database, "database", "glue DeleteTable")?;
        let table = need(table, "table", "glue DeleteTable")?;
        client_ref(client, "DeleteTable")?.delete_table(&database, &table)
    })
}

// ---- Dataproc ----

#[repr(C)]
pub struct FfiDataprocConfig {
    project: *const c_char,
    location: *const c_char,
    service: *const c_char,
    api_endpoint: *const c_char,
    credentials_file: *const c_char,
    access_token: *const c_char,
    timeout_ms: u32,
}

#[repr(C)]
pub struct FfiService {
    name: *const c_char,
    endpoint_uri: *const c_char,
    endpoint_protocol: *const c_char,
    state: *const c_char,
    hive_version: *const c_char,
    auth_method: *const c_char,
}

/// The service view first, then the strings it points to.
#[repr(C)]
struct OwnedService {
    view: FfiService,
    strings: Vec<CString>,
}

#[no_mangle]
pub extern "C" fn arbor_dataproc_resolve(
    config: *const FfiDataprocConfig,
    out: *mut *const FfiService,
) -> ErrPtr {
    guard("dataproc", || {
        check_out(out, "dataproc")?;
        if config.is_null() {
            return Err(CloudError::new(
                Code::InvalidArgument,
                "dataproc: no configuration",
            ));
        }
        let c = unsafe { &*config };
        let config = DataprocConfig {
            project: nonempty(c.project),
            location: nonempty(c.location),
            service: nonempty(c.service),
            api_endpoint: nonempty(c.api_endpoint),
            credentials_file: nonempty(c.credentials_file),
            access_token: nonempty(c.access_token),
            timeout_ms: c.timeout_ms,
        };
        let s = dataproc::resolve(&config)?;
        let strings: Vec<CString> = [
            s.name,
            s.endpoint_uri,
            s.endpoint_protocol,
            s.state,
            s.hive_version,
            s.auth_method,
        ]
        .into_iter()
        .map(|v| CString::new(v.replace('\0', "")).unwrap_or_default())
        .collect();
        let view = FfiService {
            name: strings[0].as_ptr(),
            endpoint_uri: strings[1].as_ptr(),
            endpoint_protocol: strings[2].as_ptr(),
            state: strings[3].as_ptr(),
            hive_version: strings[4].as_ptr(),
            auth_method: strings[5].as_ptr(),
        };
        unsafe {
            *out = Box::into_raw(Box::new(OwnedService { view, strings })) as *const FfiService
        };
        Ok(())
    })
}

#[no_mangle]
pub extern "C" fn arbor_dataproc_service_free(service: *const FfiService) {
    if !service.is_null() {
        drop(unsafe { Box::from_raw(service as *mut OwnedService) });
    }
}
