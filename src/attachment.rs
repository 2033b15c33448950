//! A file to download, as the API and the pages both answer one.

use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

/// `bytes` of `content_type`, for the browser to save as `filename` (made
/// of characters that need no quoting: slugs and fixed words).
pub fn attachment(content_type: &'static str, filename: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    (
        [
            (CONTENT_TYPE, content_type.to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}
