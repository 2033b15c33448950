//! The pages' static files, compiled into the binary: nothing is fetched
//! from elsewhere at run time, so the pages work offline.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::PageError;

/// Name, content type, bytes.
const ASSETS: [(&str, &str, &[u8]); 4] = [
    (
        "style.css",
        "text/css; charset=utf-8",
        include_bytes!("assets/style.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("assets/app.js"),
    ),
    // Built from web/ by `make` (CodeMirror, pinned by web/package-lock.json).
    (
        "editor.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/dist/editor.js"),
    ),
    // Statement math (KaTeX), built beside the editor.
    (
        "math.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/dist/math.js"),
    ),
];

pub async fn serve(Path(name): Path<String>) -> Result<Response, PageError> {
    let (_, content_type, bytes) = (ASSETS.iter())
        .find(|(asset, _, _)| *asset == name)
        .ok_or_else(|| PageError::not_found("no such file"))?;
    let headers = [
        (header::CONTENT_TYPE, *content_type),
        (header::CACHE_CONTROL, "public, max-age=300"),
    ];
    Ok((headers, *bytes).into_response())
}
