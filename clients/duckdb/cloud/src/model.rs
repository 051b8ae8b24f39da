//! The C view of the metastore model (arbor_cloud.h) and the arena that owns it.
//! A page's structs point into strings and arrays the arena holds; the arena lives in
//! the same allocation as the page, so one free releases all of it. Heap buffers of a
//! CString or Vec do not move when the owner is moved, which is what keeps the pointers
//! valid while the arena's own vectors grow.

use std::collections::HashMap;
use std::ffi::{c_char, CStr, CString};
use std::ptr;

#[repr(C)]
pub struct Kv {
    pub key: *const c_char,
    pub value: *const c_char,
}

#[repr(C)]
pub struct Column {
    pub name: *const c_char,
    pub type_: *const c_char,
    pub comment: *const c_char,
}

#[repr(C)]
pub struct Storage {
    pub location: *const c_char,
    pub input_format: *const c_char,
    pub output_format: *const c_char,
    pub serde_library: *const c_char,
    pub serde_parameters: *const Kv,
    pub serde_parameter_count: usize,
    pub columns: *const Column,
    pub column_count: usize,
}

#[repr(C)]
pub struct Database {
    pub name: *const c_char,
    pub description: *const c_char,
    pub location: *const c_char,
    pub parameters: *const Kv,
    pub parameter_count: usize,
}

#[repr(C)]
pub struct Table {
    pub database: *const c_char,
    pub name: *const c_char,
    pub table_type: *const c_char,
    pub owner: *const c_char,
    pub description: *const c_char,
    pub create_time: i64,
    pub storage: Storage,
    pub partition_keys: *const Column,
    pub partition_key_count: usize,
    pub parameters: *const Kv,
    pub parameter_count: usize,
}

#[repr(C)]
pub struct Partition {
    pub values: *const *const c_char,
    pub value_count: usize,
    pub create_time: i64,
    pub storage: Storage,
    pub parameters: *const Kv,
    pub parameter_count: usize,
}

#[repr(C)]
pub struct PartitionValues {
    pub values: *const *const c_char,
    pub value_count: usize,
}

#[repr(C)]
pub struct PageView {
    pub databases: *const Database,
    pub database_count: usize,
    pub tables: *const Table,
    pub table_count: usize,
    pub partitions: *const Partition,
    pub partition_count: usize,
    pub next_token: *const c_char,
}

/// Owns everything a PageView points to. `view` comes first so a pointer to the page
/// is a pointer to the whole (repr(C)).
#[repr(C)]
pub struct Page {
    pub view: PageView,
    arena: Arena,
}

#[derive(Default)]
pub struct Arena {
    strings: Vec<CString>,
    kvs: Vec<Vec<Kv>>,
    columns: Vec<Vec<Column>>,
    ptr_lists: Vec<Vec<*const c_char>>,
    databases: Vec<Database>,
    tables: Vec<Table>,
    partitions: Vec<Partition>,
    next_token: Option<String>,
}

impl Arena {
    pub fn str(&mut self, s: &str) -> *const c_char {
        let c = CString::new(s.replace('\0', "")).unwrap_or_default();
        let p = c.as_ptr();
        self.strings.push(c);
        p
    }

    pub fn opt(&mut self, s: Option<&str>) -> *const c_char {
        match s {
            Some(s) => self.str(s),
            None => ptr::null(),
        }
    }

    pub fn kvs(&mut self, m: Option<&HashMap<String, String>>) -> (*const Kv, usize) {
        let mut entries: Vec<(&String, &String)> =
            m.map(|m| m.iter().collect()).unwrap_or_default();
        entries.sort(); // deterministic order for the caller and the tests
        let list: Vec<Kv> = entries
            .into_iter()
            .map(|(k, v)| Kv {
                key: self.str(k),
                value: self.str(v),
            })
            .collect();
        let out = (list.as_ptr(), list.len());
        self.kvs.push(list);
        out
    }

    pub fn columns(&mut self, cols: &[aws_sdk_glue::types::Column]) -> (*const Column, usize) {
        let list: Vec<Column> = cols
            .iter()
            .map(|c| Column {
                name: self.str(c.name()),
                type_: self.opt(c.r#type()),
                comment: self.opt(c.comment()),
            })
            .collect();
        let out = (list.as_ptr(), list.len());
        self.columns.push(list);
        out
    }

    pub fn str_list(&mut self, values: &[String]) -> (*const *const c_char, usize) {
        let list: Vec<*const c_char> = values.iter().map(|v| self.str(v)).collect();
        let out = (list.as_ptr(), list.len());
        self.ptr_lists.push(list);
        out
    }

    pub fn storage(&mut self, sd: Option<&aws_sdk_glue::types::StorageDescriptor>) -> Storage {
        let Some(sd) = sd else {
            return Storage {
                location: ptr::null(),
                input_format: ptr::null(),
                output_format: ptr::null(),
                serde_library: ptr::null(),
                serde_parameters: ptr::null(),
                serde_parameter_count: 0,
                columns: ptr::null(),
                column_count: 0,
            };
        };
        let serde = sd.serde_info();
        let (serde_parameters, serde_parameter_count) =
            self.kvs(serde.and_then(|s| s.parameters()));
        let (columns, column_count) = self.columns(sd.columns());
        Storage {
            location: self.opt(sd.location()),
            input_format: self.opt(sd.input_format()),
            output_format: self.opt(sd.output_format()),
            serde_library: self.opt(serde.and_then(|s| s.serialization_library())),
            serde_parameters,
            serde_parameter_count,
            columns,
            column_count,
        }
    }

    pub fn add_database(&mut self, d: &aws_sdk_glue::types::Database) {
        let (parameters, parameter_count) = self.kvs(d.parameters());
        let db = Database {
            name: self.str(d.name()),
            description: self.opt(d.description()),
            location: self.opt(d.location_uri()),
            parameters,
            parameter_count,
        };
        self.databases.push(db);
    }

    pub fn add_table(&mut self, t: &aws_sdk_glue::types::Table, database: &str) {
        let (partition_keys, partition_key_count) = self.columns(t.partition_keys());
        let (parameters, parameter_count) = self.kvs(t.parameters());
        let table = Table {
            database: self.str(t.database_name().unwrap_or(database)),
            name: self.str(t.name()),
            table_type: self.opt(t.table_type()),
            owner: self.opt(t.owner()),
            description: self.opt(t.description()),
            create_time: t.create_time().map(|d| d.secs()).unwrap_or(0),
            storage: self.storage(t.storage_descriptor()),
            partition_keys,
            partition_key_count,
            parameters,
            parameter_count,
        };
        self.tables.push(table);
    }

    pub fn add_partition(&mut self, p: &aws_sdk_glue::types::Partition) {
        let (values, value_count) = self.str_list(p.values());
        let (parameters, parameter_count) = self.kvs(p.parameters());
        let partition = Partition {
            values,
            value_count,
            create_time: p.creation_time().map(|d| d.secs()).unwrap_or(0),
            storage: self.storage(p.storage_descriptor()),
            parameters,
            parameter_count,
        };
        self.partitions.push(partition);
    }

    pub fn set_next_token(&mut self, token: Option<&str>) {
        self.next_token = token.filter(|t| !t.is_empty()).map(str::to_string);
    }

    /// Seals the arena into a page; no more entries may be added after this.
    pub fn into_page(mut self) -> *const PageView {
        let token = self.next_token.take();
        let next_token = self.opt(token.as_deref());
        let view = PageView {
            databases: self.databases.as_ptr(),
            database_count: self.databases.len(),
            tables: self.tables.as_ptr(),
            table_count: self.tables.len(),
            partitions: self.partitions.as_ptr(),
            partition_count: self.partitions.len(),
            next_token,
        };
        Box::into_raw(Box::new(Page { view, arena: self })) as *const PageView
    }
}

/// # Safety
/// `page` must come from `Arena::into_page` and not have been freed.
pub unsafe fn free_page(page: *const PageView) {
    if !page.is_null() {
        drop(Box::from_raw(page as *mut Page));
    }
}

// ---- Reading the C side's inputs ----

/// # Safety
/// `p` is NULL or a NUL-terminated string.
pub unsafe fn read_opt(p: *const c_char) -> Option<String> {
    if p.is_null() {
        None
    } else {
        Some(CStr::from_ptr(p).to_string_lossy().into_owned())
    }
}

/// # Safety
/// `p` is NULL or points to `n` entries.
pub unsafe fn slice<'a, T>(p: *const T, n: usize) -> &'a [T] {
    if p.is_null() || n == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(p, n)
    }
}

/// # Safety
/// The pointers in `kvs` are valid strings (or NULL).
pub unsafe fn read_kvs(p: *const Kv, n: usize) -> Option<HashMap<String, String>> {
    let kvs = slice(p, n);
    if kvs.is_empty() {
        return None;
    }
    Some(
        kvs.iter()
            .filter_map(|kv| Some((read_opt(kv.key)?, read_opt(kv.value).unwrap_or_default())))
            .collect(),
    )
}

/// # Safety
/// As for `read_opt`, for every string of the list.
pub unsafe fn read_str_list(p: *const *const c_char, n: usize) -> Vec<String> {
    slice(p, n)
        .iter()
        .map(|s| read_opt(*s).unwrap_or_default())
        .collect()
}
