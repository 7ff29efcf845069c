//! `Invitations`, `Domains` and `RoleSets` for every SQL backend: how members arrive, and which roles they get.

use std::collections::HashMap;

use async_trait::async_trait;

use roster_core::domains::{Domain, DomainFilter, DomainUpdate, Domains, NewDomain, Suggestion};
use roster_core::invitations::{
    Invitation, InvitationFilter, InvitationOrder, InvitationScope, Invitations, NewInvitation,
};
use roster_core::model::{Membership, Page};
use roster_core::query::{KeyedOrder, Pagination};
use roster_core::role_sets::{NewRoleSet, RoleSet, RoleSetUpdate, RoleSets};
use roster_core::store::Result;
use roster_core::{DomainId, InstanceId, InvitationId, OrgId, UserId};

use super::{Backend, SqlStore};
use crate::logic::{domains, invitations, role_sets};

#[async_trait]
impl<B: Backend> Invitations for SqlStore<B> {
    async fn create_invitations(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        items: Vec<NewInvitation>,
    ) -> Result<Vec<Invitation>> {
        let (ins, org, cache) = (instance_id.to_owned(), org_id.to_owned(), self.write_roles.clone());
        self.write(move |c| invitations::create(c, &cache, &ins, &org, items)).await
    }

    async fn list_invitations(
        &self,
        instance_id: &InstanceId,
        scope: InvitationScope,
        filter: InvitationFilter,
        order: InvitationOrder,
        page: Pagination,
    ) -> Result<Page<Invitation>> {
        let (ins, cache) = (instance_id.to_owned(), self.roles.clone());
        self.backend.read(move |c| invitations::list(c, &cache, &ins, &scope, &filter, order, page)).await
    }

    async fn get_invitation(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        invitation_id: &InvitationId,
    ) -> Result<Invitation> {
        let (ins, org, id, cache) =
            (instance_id.to_owned(), org_id.to_owned(), invitation_id.to_owned(), self.roles.clone());
        self.backend.read(move |c| invitations::get(c, &cache, &ins, &org, &id)).await
    }

    async fn revoke_invitation(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        invitation_id: &InvitationId,
        requesting_user_id: Option<UserId>,
    ) -> Result<Invitation> {
        let (ins, org, id, cache) =
            (instance_id.to_owned(), org_id.to_owned(), invitation_id.to_owned(), self.write_roles.clone());
        self.write(move |c| invitations::revoke(c, &cache, &ins, &org, &id, requesting_user_id.as_deref())).await
    }

    async fn accept_invitation(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        invitation_id: &InvitationId,
        user_id: &UserId,
    ) -> Result<(Invitation, Membership)> {
        let (ins, org, id, user, cache) = (
            instance_id.to_owned(),
            org_id.to_owned(),
            invitation_id.to_owned(),
            user_id.to_owned(),
            self.write_roles.clone(),
        );
        self.write(move |c| invitations::accept(c, &cache, &ins, &org, &id, &user)).await
    }

    async fn pending_invitation_counts(
        &self,
        instance_id: &InstanceId,
        org_ids: Vec<String>,
    ) -> Result<std::collections::HashMap<String, i64>> {
        let ins = instance_id.to_owned();
        self.backend.read(move |c| invitations::pending_counts(c, &ins, &org_ids)).await
    }
}

#[async_trait]
impl<B: Backend> Domains for SqlStore<B> {
    async fn create_domain(&self, instance_id: &InstanceId, org_id: &OrgId, domain: NewDomain) -> Result<Domain> {
        let (ins, org) = (instance_id.to_owned(), org_id.to_owned());
        self.write(move |c| domains::create(c, &ins, &org, domain)).await
    }

    async fn list_domains(
        &self,
        instance_id: &InstanceId,
        filter: DomainFilter,
        page: Pagination,
    ) -> Result<Page<Domain>> {
        let ins = instance_id.to_owned();
        self.backend.read(move |c| domains::list(c, &ins, &filter, page)).await
    }

    async fn get_domain(&self, instance_id: &InstanceId, org_id: &OrgId, domain_id: &DomainId) -> Result<Domain> {
        let (ins, org, id) = (instance_id.to_owned(), org_id.to_owned(), domain_id.to_owned());
        self.backend.read(move |c| domains::get(c, &ins, &org, &id)).await
    }

    async fn update_domain(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        domain_id: &DomainId,
        update: DomainUpdate,
    ) -> Result<Domain> {
        let (ins, org, id) = (instance_id.to_owned(), org_id.to_owned(), domain_id.to_owned());
        self.write(move |c| domains::update(c, &ins, &org, &id, update)).await
    }

    async fn delete_domain(&self, instance_id: &InstanceId, org_id: &OrgId, domain_id: &DomainId) -> Result<Domain> {
        let (ins, org, id) = (instance_id.to_owned(), org_id.to_owned(), domain_id.to_owned());
        self.write(move |c| domains::delete(c, &ins, &org, &id)).await
    }

    async fn verify_domain(&self, instance_id: &InstanceId, org_id: &OrgId, domain_id: &DomainId) -> Result<Domain> {
        let (ins, org, id) = (instance_id.to_owned(), org_id.to_owned(), domain_id.to_owned());
        self.write(move |c| domains::verify(c, &ins, &org, &id)).await
    }

    async fn list_suggestions(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
        page: Pagination,
    ) -> Result<Page<Suggestion>> {
        let (ins, user) = (instance_id.to_owned(), user_id.to_owned());
        self.backend.read(move |c| domains::suggestions(c, &ins, &user, page)).await
    }
}

#[async_trait]
impl<B: Backend> RoleSets for SqlStore<B> {
    async fn list_role_sets(
        &self,
        instance_id: &InstanceId,
        query: Option<String>,
        order: KeyedOrder,
        page: Pagination,
    ) -> Result<Page<RoleSet>> {
        let (ins, cache) = (instance_id.to_owned(), self.roles.clone());
        self.backend.read(move |c| role_sets::list(c, &cache, &ins, query.as_deref(), order, page)).await
    }

    async fn get_role_set(&self, instance_id: &InstanceId, key_or_id: &str) -> Result<RoleSet> {
        let (ins, key, cache) = (instance_id.to_owned(), key_or_id.to_owned(), self.roles.clone());
        self.backend.read(move |c| role_sets::get(c, &cache, &ins, &key)).await
    }

    async fn create_role_set(&self, instance_id: &InstanceId, new: NewRoleSet) -> Result<RoleSet> {
        let (ins, cache) = (instance_id.to_owned(), self.write_roles.clone());
        self.write(move |c| role_sets::create(c, &cache, &ins, new)).await
    }

    async fn update_role_set(
        &self,
        instance_id: &InstanceId,
        key_or_id: &str,
        update: RoleSetUpdate,
    ) -> Result<RoleSet> {
        let (ins, key, cache) = (instance_id.to_owned(), key_or_id.to_owned(), self.write_roles.clone());
        self.write(move |c| role_sets::update(c, &cache, &ins, &key, update)).await
    }

    async fn add_role_set_roles(
        &self,
        instance_id: &InstanceId,
        key_or_id: &str,
        role_keys: Vec<String>,
        default_role_key: Option<String>,
        creator_role_key: Option<String>,
    ) -> Result<RoleSet> {
        let (ins, key, cache) = (instance_id.to_owned(), key_or_id.to_owned(), self.write_roles.clone());
        self.write(move |c| {
            role_sets::add_roles(
                c,
                &cache,
                &ins,
                &key,
                &role_keys,
                default_role_key.as_deref(),
                creator_role_key.as_deref(),
            )
        })
        .await
    }

    async fn replace_role_set_role(
        &self,
        instance_id: &InstanceId,
        key_or_id: &str,
        role_key: &str,
        to_role_key: &str,
    ) -> Result<RoleSet> {
        let (ins, key, cache) = (instance_id.to_owned(), key_or_id.to_owned(), self.write_roles.clone());
        let (from, to) = (role_key.to_owned(), to_role_key.to_owned());
        self.write(move |c| role_sets::replace_role(c, &cache, &ins, &key, &from, &to)).await
    }

    async fn replace_role_set(
        &self,
        instance_id: &InstanceId,
        key_or_id: &str,
        dest_key: &str,
        mappings: HashMap<String, String>,
    ) -> Result<RoleSet> {
        let (ins, key, dest, cache) =
            (instance_id.to_owned(), key_or_id.to_owned(), dest_key.to_owned(), self.write_roles.clone());
        self.write(move |c| role_sets::replace(c, &cache, &ins, &key, &dest, &mappings)).await
    }
}
