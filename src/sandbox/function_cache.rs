//! Cranelift's incremental cache, kept in memory: functions compiled before
//! are reused when a new module holds them again. Every C++ program that
//! uses iostreams links the same megabyte of libc++, so a new submission
//! compiles mostly its own code.

use std::borrow::Cow;
use std::sync::Arc;

use wasmtime::CacheStore;

/// Compiled functions by their cache key (a hash over the function's code
/// and the compiler's settings, made by Cranelift), bounded by size.
#[derive(Debug)]
pub struct CompiledFunctions(moka::sync::Cache<Vec<u8>, Arc<[u8]>>);

impl CompiledFunctions {
    pub fn new(max_bytes: u64) -> Self {
        let cache = moka::sync::Cache::builder()
            .weigher(|key: &Vec<u8>, value: &Arc<[u8]>| {
                u32::try_from(key.len() + value.len()).unwrap_or(u32::MAX)
            })
            .max_capacity(max_bytes)
            .build();
        Self(cache)
    }
}

impl CacheStore for CompiledFunctions {
    fn get(&self, key: &[u8]) -> Option<Cow<'_, [u8]>> {
        self.0.get(key).map(|value| Cow::Owned(value.to_vec()))
    }

    fn insert(&self, key: &[u8], value: Vec<u8>) -> bool {
        self.0.insert(key.to_vec(), value.into());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_function_is_found_by_its_key_until_the_bound_pushes_it_out() {
        let cache = CompiledFunctions::new(1 << 10);
        assert!(cache.insert(b"key", vec![1, 2, 3]));
        assert_eq!(cache.get(b"key").as_deref(), Some(&[1u8, 2, 3][..]));
        assert_eq!(cache.get(b"other"), None);
        for n in 0..64u8 {
            cache.insert(&[n], vec![n; 100]);
        }
        cache.0.run_pending_tasks();
        assert!(cache.0.weighted_size() <= 1 << 10);
    }
}
