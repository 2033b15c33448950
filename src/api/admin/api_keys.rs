//! `/admin/api-keys`: keys for admins and for trusted back ends (service).
//! A key is shown once, when it is made.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::error::{ApiJson, ApiPath};
use crate::api::{ApiError, AppState};
use crate::auth::KeyRole;
use crate::store::ApiKeyRecord;

const MAX_NAME_CHARS: usize = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    name: String,
    role: KeyRole,
}

#[derive(Debug, Serialize)]
pub struct IssuedKey {
    #[serde(flatten)]
    record: ApiKeyRecord,
    key: String,
}

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

pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<ApiKeyRecord>>, ApiError> {
    let keys = state
        .database
        .api_keys()
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(keys))
}

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
