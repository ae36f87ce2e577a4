//! `carpetti.persist.v1.AccessService`: staff users and roles. A user's password is write-only:
//! it is parsed here, hashed by the store, and never put into a response.

use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::access_service_server::AccessService;
use carpetti_util::Code;
use tonic::{Request, Response, Status};

use super::convert::{self, opt_text, required_text};
use crate::StoreError;
use crate::model::Record;
use crate::model::access::{Login, Password, Role, User};
use crate::model::order::Email;
use crate::store::DynStore;

/// The service over a store.
#[derive(Clone)]
pub struct Access {
    store: DynStore,
}

impl Access {
    pub fn new(store: DynStore) -> Self {
        Self { store }
    }
}

/// Parses a user from the wire. `password` may be unset here (update keeps the current one);
/// create checks that it is set.
pub fn user_from_pb(p: pb::User) -> Result<User, StoreError> {
    Ok(User {
        login: Login::parse(&p.login).map_err(StoreError::parse("login"))?,
        display_name: required_text("display_name", &p.display_name)?,
        email: opt_text(p.email)
            .map(|e| Email::parse(&e).map(|e| e.as_str().to_owned()))
            .transpose()
            .map_err(StoreError::parse("email"))?,
        password: p
            .password
            .map(|pw| Password::parse(&pw))
            .transpose()
            .map_err(StoreError::parse("password"))?,
        active: p.active,
        role_codes: p
            .role_codes
            .iter()
            .enumerate()
            .map(|(i, code)| {
                Code::parse(code).map_err(StoreError::parse(format!("role_codes[{i}]")))
            })
            .collect::<Result<_, _>>()?,
    })
}

/// A stored user for the wire: never with a password.
pub fn user_to_pb(r: Record<User>) -> pb::User {
    pb::User {
        meta: Some(convert::meta(&r.meta)),
        login: r.value.login.as_str().to_owned(),
        display_name: r.value.display_name,
        email: r.value.email,
        password: None,
        active: r.value.active,
        role_codes: r
            .value
            .role_codes
            .into_iter()
            .map(Code::into_inner)
            .collect(),
    }
}

/// Parses a role from the wire (permissions are checked and normalized by the store).
pub fn role_from_pb(p: pb::Role) -> Result<Role, StoreError> {
    Ok(Role {
        code: Code::parse(&p.code).map_err(StoreError::parse("code"))?,
        name: required_text("name", &p.name)?,
        permissions: p.permissions,
    })
}

/// A stored role for the wire.
pub fn role_to_pb(r: Record<Role>) -> pb::Role {
    pb::Role {
        meta: Some(convert::meta(&r.meta)),
        code: r.value.code.into_inner(),
        name: r.value.name,
        permissions: r.value.permissions,
    }
}

#[tonic::async_trait]
impl AccessService for Access {
    async fn create_user(&self, request: Request<pb::User>) -> Result<Response<pb::User>, Status> {
        let value = user_from_pb(request.into_inner())?;
        if value.password.is_none() {
            return Err(StoreError::invalid("password", "is required to create a user").into());
        }
        Ok(Response::new(user_to_pb(
            self.store.create_user(value).await?,
        )))
    }

    async fn get_user(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::User>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(user_to_pb(
            self.store.get_user(&lookup).await?,
        )))
    }

    async fn update_user(&self, request: Request<pb::User>) -> Result<Response<pb::User>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = user_from_pb(p)?;
        Ok(Response::new(user_to_pb(
            self.store.update_user(target, value).await?,
        )))
    }

    async fn delete_user(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        let change_seq = self.store.delete_user(target).await?;
        Ok(Response::new(api::DeleteResponse { change_seq }))
    }

    async fn list_users(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListUsersResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_users(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListUsersResponse {
            items: page.items.into_iter().map(user_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn create_role(&self, request: Request<pb::Role>) -> Result<Response<pb::Role>, Status> {
        let value = role_from_pb(request.into_inner())?;
        Ok(Response::new(role_to_pb(
            self.store.create_role(value).await?,
        )))
    }

    async fn get_role(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::Role>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(role_to_pb(
            self.store.get_role(&lookup).await?,
        )))
    }

    async fn update_role(&self, request: Request<pb::Role>) -> Result<Response<pb::Role>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = role_from_pb(p)?;
        Ok(Response::new(role_to_pb(
            self.store.update_role(target, value).await?,
        )))
    }

    async fn delete_role(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        let change_seq = self.store.delete_role(target).await?;
        Ok(Response::new(api::DeleteResponse { change_seq }))
    }

    async fn list_roles(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListRolesResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_roles(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListRolesResponse {
            items: page.items.into_iter().map(role_to_pb).collect(),
            next_cursor,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> pb::User {
        pb::User {
            login: " Anna ".into(),
            display_name: "Анна".into(),
            password: Some("correct horse".into()),
            active: true,
            role_codes: vec!["manager".into()],
            ..Default::default()
        }
    }

    #[test]
    fn user_parsing_names_fields() {
        let parsed = user_from_pb(user()).expect("valid");
        assert_eq!(parsed.login.as_str(), "anna");
        let field = |f: fn(&mut pb::User)| {
            let mut p = user();
            f(&mut p);
            match user_from_pb(p) {
                Err(StoreError::InvalidArgument { field, .. }) => field,
                other => panic!("expected InvalidArgument, got {other:?}"),
            }
        };
        assert_eq!(field(|p| p.password = Some("short".into())), "password");
        assert_eq!(field(|p| p.login = "  ".into()), "login");
        assert_eq!(field(|p| p.role_codes.push(" ".into())), "role_codes[1]");
        assert_eq!(field(|p| p.email = Some("not-an-address".into())), "email");
        assert_eq!(field(|p| p.display_name = String::new()), "display_name");
    }

    #[test]
    fn users_go_out_without_password() {
        let meta = crate::model::Meta {
            id: uuid::Uuid::now_v7(),
            change_seq: 1,
            created_at: carpetti_util::now(),
            updated_at: carpetti_util::now(),
        };
        let value = user_from_pb(user()).expect("valid");
        assert!(value.password.is_some());
        let out = user_to_pb(Record {
            meta,
            value,
            refs: Default::default(),
        });
        assert_eq!(out.password, None);
    }
}
