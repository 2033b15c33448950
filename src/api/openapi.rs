//! The API described for clients to be generated from: an OpenAPI 3.1
//! document at `GET /openapi.json`, generated from the handlers'
//! `#[utoipa::path]` attributes and the types they take and answer, and
//! Swagger UI for it at `GET /docs`, its files compiled into the binary.
//!
//! Handlers declare their own answers. What every route can answer comes
//! from one place in the code (a token that names nobody from `identify`,
//! a path, query or body that does not parse from the extractors in
//! `error.rs`, a failure of ours), so `CommonErrors` adds it here to each
//! operation it applies to, instead of every handler repeating it.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::{Config, SwaggerUi};

use super::error::ErrorBody;
use super::{AppState, admin, contests, execute, executions, health, questions, submissions};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "judgebox",
        description = "Judges student code against test cases, in sandboxes.\n\n\
            Authenticate with `Authorization: Bearer <token>`: the operator's \
            `JUDGEBOX_ADMIN_TOKEN` or an admin API key (admin), a service API key \
            (a trusted back end), or a participant token (one student in one \
            contest); without the header a request is anonymous. A token that \
            names nobody is 401 `invalid_token` on every route. The pages under \
            `/ui` sign in with a session cookie instead; the API does not take it.\n\n\
            Every error is `{\"error\": {\"code\", \"message\"}}` (`ErrorBody`).",
    ),
    paths(
        execute::execute,
        executions::show,
        submissions::submit,
        submissions::list,
        submissions::show,
        questions::list,
        questions::show,
        questions::scoreboard,
        questions::image,
        contests::list,
        contests::show,
        contests::scoreboard,
        contests::clarifications,
        contests::ask,
        health::languages,
        health::healthz,
        health::readyz,
        health::metrics,
        document,
    ),
    components(schemas(ErrorBody)),
    modifiers(&AdminRoutes, &SecuritySchemes, &CommonErrors),
    // Anonymous, or any token: routes that need one say so.
    security((), ("admin" = []), ("service" = []), ("participant" = [])),
    tags(
        (name = "judging", description = "Running code now"),
        (name = "submissions", description = "Code queued for a question"),
        (name = "questions", description = "What students see of questions"),
        (name = "contests", description = "Contests and their scoreboards"),
        (name = "admin", description = "Questions, contests, participants and API keys; admins only"),
        (name = "service", description = "Languages, health, this document"),
    ),
)]
struct ApiDoc;

/// The OpenAPI document, made once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_json()
        .expect("the OpenAPI document serializes")
});

/// This document
#[utoipa::path(
    get, path = "/openapi.json", tag = "service", operation_id = "openapi",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)),
)]
async fn document() -> Response {
    let json = HeaderValue::from_static("application/json");
    ([(header::CONTENT_TYPE, json)], DOCUMENT.as_str()).into_response()
}

/// `/openapi.json`, and Swagger UI reading it at `/docs`.
pub fn routes() -> Router<AppState> {
    let config = Config::from("/openapi.json")
        // Swagger UI would otherwise send the document to swagger.io's
        // validator and show its badge: a request to another site.
        .validator_url("none")
        // No top bar: it only loads other documents by URL, and its logo is
        // an SVG with an inline <style> the CSP refuses.
        .use_base_layout()
        .try_it_out_enabled(true);
    let docs = Router::from(SwaggerUi::new("/docs").config(config))
        .layer(middleware::from_fn(docs_security_headers));
    Router::new()
        .route("/openapi.json", get(document))
        .merge(docs)
}

/// The pages' Content-Security-Policy (`pages::session`) and hardening
/// headers, as strict as Swagger UI allows: its scripts and styles are
/// files under /docs, its icons `data:` images, and it fetches only this
/// server (the document, and "Try it out"). Two changes: `style-src` needs
/// no nonce (without the top bar Swagger UI adds no `<style>` element; it
/// styles elements from script, which the policy allows), and
/// `form-action 'none'`, as it submits no form.
async fn docs_security_headers(request: Request, next: Next) -> Response {
    const HEADERS: [(header::HeaderName, &str); 4] = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    let mut response = next.run(request).await;
    for (name, value) in HEADERS {
        (response.headers_mut()).insert(name, HeaderValue::from_static(value));
    }
    response
}

/// The admin routes, documented by their own module.
struct AdminRoutes;

impl Modify for AdminRoutes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi.merge(AdminApi::openapi());
    }
}

/// The admin routes in the API document: each needs an admin's token, and
/// can answer what `admin::require_admin` answers.
#[derive(OpenApi)]
#[openapi(
    paths(
        admin::questions::create,
        admin::questions::show,
        admin::questions::replace,
        admin::questions::remove,
        admin::questions::add_test,
        admin::questions::calibrate,
        admin::questions::import_package,
        admin::questions::export_package,
        admin::questions::remove_test,
        admin::contests::list,
        admin::contests::show,
        admin::contests::put,
        admin::contests::remove,
        admin::contests::participants,
        admin::contests::add_participants,
        admin::contests::remove_participant,
        admin::contests::set_participant_time,
        admin::contests::results_csv,
        admin::contests::archive,
        admin::contests::similarity,
        admin::contests::announce,
        admin::contests::answer,
        admin::rejudges::create,
        admin::rejudges::list,
        admin::rejudges::show,
        admin::api_keys::list,
        admin::api_keys::create,
        admin::api_keys::revoke,
    ),
    modifiers(&AdminOnly)
)]
pub struct AdminApi;

struct AdminOnly;

impl Modify for AdminOnly {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let refused = [
            ("403", "`forbidden`: a service or participant token"),
            (
                "503",
                "`admin_disabled`: no token, and the server was started without \
                 `JUDGEBOX_ADMIN_TOKEN`",
            ),
        ];
        for operation in openapi.paths.paths.values_mut().flat_map(operations) {
            let admin = SecurityRequirement::new("admin", Vec::<String>::new());
            operation.security = Some(vec![admin]);
            for (status, description) in refused {
                let response = ResponseBuilder::new()
                    .description(description)
                    .content("application/json", error_content())
                    .build();
                (operation.responses.responses)
                    .entry(status.into())
                    .or_insert_with(|| response.into());
            }
        }
    }
}

/// How callers authenticate: one bearer header, whose token says who
/// they are (`identify`). Named by role, so an operation can say whose
/// token it takes.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let schemes = [
            (
                "admin",
                "`JUDGEBOX_ADMIN_TOKEN`, or an admin API key (`jbk_...`, from `POST /admin/api-keys`)",
            ),
            (
                "service",
                "A service API key (`jbk_...`, from `POST /admin/api-keys`): a trusted back end \
                 acting for its users",
            ),
            (
                "participant",
                "A participant token (`jbp_...`, from `POST /admin/contests/{slug}/participants`): \
                 one user in one contest",
            ),
        ];
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, description) in schemes {
            let scheme = HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(description))
                .build();
            let scheme = RefOr::T(SecurityScheme::Http(scheme));
            components.security_schemes.insert(name.into(), scheme);
        }
    }
}

/// The errors any route can answer, each a response in `components`,
/// referenced from the operations it applies to unless a handler describes
/// that status itself.
struct CommonErrors;

const COMMON_ERRORS: [(&str, &str); 6] = [
    (
        "BadRequest",
        "`malformed_json`: the body is not JSON; `bad_request`: a path parameter that does not \
         parse or holds `%00`, or a body that cannot be read",
    ),
    (
        "Unauthorized",
        "`invalid_token`: the Authorization header names nobody (wrong, revoked, or not \
         `Bearer <token>`); `unauthorized`: this request needs a token",
    ),
    (
        "PayloadTooLarge",
        "`payload_too_large`: the body is over `JUDGEBOX_MAX_BODY_BYTES`",
    ),
    (
        "UnsupportedMediaType",
        "`unsupported_media_type`: the body is not sent as `application/json`",
    ),
    (
        "Unprocessable",
        "`invalid_request`: well-formed, but a value is missing, mistyped, unknown, out of \
         range or holds U+0000; the message names it",
    ),
    (
        "InternalError",
        "`internal_error`: the server failed (the database, say); details go to its log",
    ),
];

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, description) in COMMON_ERRORS {
            let response = ResponseBuilder::new()
                .description(description)
                .content("application/json", error_content())
                .build();
            components.responses.insert(name.into(), response.into());
        }
        for operation in openapi.paths.paths.values_mut().flat_map(operations) {
            add_common_errors(operation);
        }
    }
}

/// The operations of a path, by the methods the API uses.
pub fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    let PathItem {
        get,
        put,
        post,
        delete,
        patch,
        ..
    } = item;
    [get, put, post, delete, patch].into_iter().flatten()
}

fn add_common_errors(operation: &mut Operation) {
    let (mut in_path, mut in_query) = (false, false);
    for parameter in operation.parameters.iter().flatten() {
        if let RefOr::T(parameter) = parameter {
            in_path |= parameter.parameter_in == ParameterIn::Path;
            in_query |= parameter.parameter_in == ParameterIn::Query;
        }
    }
    let json_body = matches!(&operation.request_body,
        Some(RefOr::T(body)) if body.content.contains_key("application/json"));
    let mut common = vec![("401", "Unauthorized"), ("500", "InternalError")];
    if in_path {
        common.push(("400", "BadRequest"));
    }
    if in_query {
        common.push(("422", "Unprocessable"));
    }
    if json_body {
        common.extend([
            ("400", "BadRequest"),
            ("413", "PayloadTooLarge"),
            ("415", "UnsupportedMediaType"),
            ("422", "Unprocessable"),
        ]);
    }
    for (status, name) in common {
        (operation.responses.responses)
            .entry(status.into())
            .or_insert_with(|| Ref::from_response_name(name).into());
    }
}

/// `application/json` content of an error: the one `ErrorBody` schema.
pub fn error_content() -> utoipa::openapi::Content {
    ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .build()
}
