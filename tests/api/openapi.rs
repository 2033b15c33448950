//! The API document: `/openapi.json` is OpenAPI 3.1 and describes every
//! route the API serves, errors by the one `ErrorBody` schema; `/docs`
//! shows it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use reqwest::{Method, StatusCode, header};
use serde_json::Value;

use crate::helpers::TestApp;

/// Every route of the API, as the router serves and the document lists
/// them. A new route must be added here, and documented.
const ROUTES: &[(&str, &str)] = &[
    ("POST", "/execute"),
    ("GET", "/executions/{id}"),
    ("POST", "/submissions"),
    ("GET", "/submissions"),
    ("GET", "/submissions/{id}"),
    ("GET", "/questions"),
    ("GET", "/questions/{slug}"),
    ("GET", "/questions/{slug}/scoreboard"),
    ("GET", "/questions/{slug}/images/{name}"),
    ("GET", "/contests"),
    ("GET", "/contests/{slug}"),
    ("GET", "/contests/{slug}/scoreboard"),
    ("GET", "/contests/{slug}/clarifications"),
    ("POST", "/contests/{slug}/clarifications"),
    ("GET", "/languages"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
    ("POST", "/admin/questions"),
    ("GET", "/admin/questions/{slug}"),
    ("PUT", "/admin/questions/{slug}"),
    ("DELETE", "/admin/questions/{slug}"),
    ("POST", "/admin/questions/{slug}/test-cases"),
    ("POST", "/admin/questions/{slug}/calibrate"),
    ("PUT", "/admin/questions/{slug}/package"),
    ("GET", "/admin/questions/{slug}/package"),
    ("DELETE", "/admin/questions/{slug}/test-cases/{number}"),
    ("GET", "/admin/contests"),
    ("GET", "/admin/contests/{slug}"),
    ("PUT", "/admin/contests/{slug}"),
    ("DELETE", "/admin/contests/{slug}"),
    ("GET", "/admin/contests/{slug}/participants"),
    ("POST", "/admin/contests/{slug}/participants"),
    ("DELETE", "/admin/contests/{slug}/participants/{user_id}"),
    ("PUT", "/admin/contests/{slug}/participants/{user_id}/time"),
    (
        "GET",
        "/admin/contests/{slug}/questions/{question}/similarity",
    ),
    ("GET", "/admin/contests/{slug}/results.csv"),
    ("GET", "/admin/contests/{slug}/submissions.zip"),
    ("POST", "/admin/contests/{slug}/announcements"),
    ("POST", "/admin/contests/{slug}/clarifications/{id}/answer"),
    ("POST", "/admin/rejudges"),
    ("GET", "/admin/rejudges"),
    ("GET", "/admin/rejudges/{id}"),
    ("GET", "/admin/api-keys"),
    ("POST", "/admin/api-keys"),
    ("DELETE", "/admin/api-keys/{id}"),
];

/// Routes in `src/api` that the document leaves out on purpose, each with
/// why: only those that do not answer JSON.
const NOT_DOCUMENTED: &[(&str, &str)] = &[];

fn routes() -> BTreeSet<(String, String)> {
    (ROUTES.iter())
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect()
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_lists_every_route() {
    let app = TestApp::spawn().await;
    let (status, document) = app.openapi().await;
    assert_eq!(status, StatusCode::OK, "{document}");
    let version = document["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3.1."), "OpenAPI {version}");

    let mut documented = BTreeSet::new();
    let mut operation_ids = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().unwrap() {
            documented.insert((method.to_uppercase(), path.clone()));
            let id = operation["operationId"].as_str().expect("an operationId");
            assert!(operation_ids.insert(id), "operationId {id} twice");
            for (status, response) in operation["responses"].as_object().unwrap() {
                if !status.starts_with(['4', '5']) {
                    continue;
                }
                assert!(
                    is_error_body(response, &document),
                    "{method} {path} {status} is not an ErrorBody: {response}"
                );
            }
        }
    }
    assert_eq!(documented, routes(), "the document against ROUTES");
}

/// The error codes are one typed list: the document enumerates them, and
/// docs/api.md's table explains exactly those.
#[tokio::test]
async fn every_error_code_is_listed_in_the_document_and_explained_in_the_docs() {
    let app = TestApp::spawn().await;
    let (_, document) = app.openapi().await;
    let listed: BTreeSet<String> = document["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .unwrap_or_else(|| {
            panic!(
                "ErrorCode is no enum: {}",
                document["components"]["schemas"]
            )
        })
        .iter()
        .map(|code| code.as_str().unwrap().to_string())
        .collect();
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/api.md")).unwrap();
    let errors = &docs[docs.find("## Errors").expect("an Errors section")..];
    let errors = &errors[..errors[1..]
        .find("\n## ")
        .map_or(errors.len(), |end| end + 1)];
    let explained: BTreeSet<String> = (errors.lines())
        .filter_map(|line| line.strip_prefix("| `")?.split_once('`'))
        .map(|(code, _)| code.to_string())
        .collect();
    assert_eq!(
        listed, explained,
        "the document's codes against docs/api.md"
    );
}

/// An error response: the one `ErrorBody` schema, directly or through a
/// response in `components`.
fn is_error_body(response: &Value, document: &Value) -> bool {
    let response = match response["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/responses/");
            &document["components"]["responses"][name]
        }
        None => response,
    };
    response["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/ErrorBody"
}

/// The routes the source registers are exactly ROUTES (and NOT_DOCUMENTED):
/// a route added to the router but not to the document fails here.
#[test]
fn every_route_in_the_source_is_listed() {
    let listed: BTreeSet<_> = (routes().into_iter())
        .chain(
            NOT_DOCUMENTED
                .iter()
                .map(|(m, p)| (m.to_string(), p.to_string())),
        )
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    assert_eq!(
        routes_in_source(&root),
        listed,
        "`.route(...)` calls in src/api"
    );
}

/// And the running server serves each of them: none answers as an unknown
/// route or method.
#[tokio::test]
async fn the_server_serves_every_listed_route() {
    let app = TestApp::spawn_admin().await;
    for (method, path) in ROUTES {
        let concrete = path
            .replace("{id}", &uuid::Uuid::nil().to_string())
            .replace("{number}", "1")
            .replace("{slug}", "probe")
            .replace("{user_id}", "probe")
            .replace("{question}", "probe");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        // Not through `send`: /metrics answers text.
        let response = (app.request(method.clone(), &concrete).send().await).unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or_default();
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            status != StatusCode::METHOD_NOT_ALLOWED && !message.starts_with("no such endpoint"),
            "{method} {concrete}: {status} {body}"
        );
    }
}

#[tokio::test]
async fn the_docs_page_is_html_that_reads_the_document() {
    let app = TestApp::spawn().await;
    let response = (app.request(Method::GET, "/docs").send().await).expect("GET /docs");
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let content_type = headers[header::CONTENT_TYPE].to_str().unwrap();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    // Scripts only from the server itself, even here.
    let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(!policy.contains("unsafe"), "{policy}");
    let html = response.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");

    let (status, script) = app.get_page("/docs/swagger-initializer.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(script.contains("\"/openapi.json\""), "{script}");
}

/// Every `(METHOD, path)` that a `.route(path, ...)` call in the Rust files
/// under `dir` registers, methods read from the method router it is given.
fn routes_in_source(dir: &Path) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for file in rust_files(dir) {
        // The other judges' APIs: their own shapes, documented in docs/peers/.
        if file.components().any(|part| part.as_os_str() == "peers") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (at, call) in text.match_indices(".route(") {
            let arguments = balanced(&text[at + call.len()..]);
            let path = arguments.split('"').nth(1).expect("a literal path");
            for method in ["get", "post", "put", "delete", "patch"] {
                let named = arguments
                    .match_indices(&format!("{method}("))
                    .any(|(i, _)| {
                        let before = arguments[..i].chars().next_back();
                        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
                    });
                if named {
                    routes.insert((method.to_uppercase(), path.to_string()));
                }
            }
        }
    }
    routes
}

/// `text` up to the parenthesis that closes the one just before it.
fn balanced(text: &str) -> &str {
    let mut depth = 1;
    for (i, c) in text.char_indices() {
        depth += match c {
            '(' => 1,
            ')' => -1,
            _ => 0,
        };
        if depth == 0 {
            return &text[..i];
        }
    }
    panic!("unbalanced parentheses")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}
