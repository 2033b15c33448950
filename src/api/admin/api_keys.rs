//! `/admin/api-keys`: keys for admins and for trusted back ends (service).
//! A key is shown once, when it is made.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::error::{ApiJson, ApiPath, ErrorBody};
use crate::api::{ApiError, AppState};
use crate::auth::KeyRole;
use crate::store::ApiKeyRecord;

const MAX_NAME_CHARS: usize = 100;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    /// 1 to 100 characters.
    name: String,
    role: KeyRole,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedKey {
    #[serde(flatten)]
    record: ApiKeyRecord,
    /// The key, for `Authorization: Bearer`: shown only now.
    key: String,
}

/// Makes an API key
#[utoipa::path(
    post, path = "/admin/api-keys", tag = "admin", operation_id = "create_api_key",
    request_body = NewKey,
    responses((status = 201, description = "The key, shown only now", body = IssuedKey, links(
        ("Revoke" = (operation_id = "revoke_api_key", parameters(("id" = "$response.body#/id")))),
    ))),
)]
pub async fn create(
    State(state): State<AppState>,
    ApiJson(new): ApiJson<NewKey>,
) -> Result<(StatusCode, Json<IssuedKey>), ApiError> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid(format!(
            "name must be 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    let (record, key) =
        (state.identities.create_api_key(name, new.role).await).map_err(ApiError::internal)?;
    let key = key.expose().to_string();
    Ok((StatusCode::CREATED, Json(IssuedKey { record, key })))
}

/// The API keys, without the keys
#[utoipa::path(
    get, path = "/admin/api-keys", tag = "admin", operation_id = "list_api_keys",
    responses((status = 200, description = "The keys", body = Vec<ApiKeyRecord>)),
)]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<ApiKeyRecord>>, ApiError> {
    let keys = state
        .database
        .api_keys()
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(keys))
}

/// Revokes an API key
#[utoipa::path(
    delete, path = "/admin/api-keys/{id}", tag = "admin", operation_id = "revoke_api_key",
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn revoke(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    match state.database.delete_api_key(id).await {
        Ok(true) => Ok(StatusCode::NO_CONTENT),
        Ok(false) => Err(ApiError::not_found(format!("no API key with id {id}"))),
        Err(error) => Err(ApiError::internal(error)),
    }
}
