//! `Invitations` and `Domains` for every SQL backend: how members arrive.

use async_trait::async_trait;

use roster_core::domains::{Domain, DomainFilter, DomainUpdate, Domains, NewDomain, Suggestion};
use roster_core::invitations::{
    Invitation, InvitationFilter, InvitationOrder, InvitationScope, Invitations, NewInvitation,
};
use roster_core::model::{Membership, Page};
use roster_core::query::Pagination;
use roster_core::store::Result;
use roster_core::{DomainId, InstanceId, InvitationId, OrgId, UserId};

use super::{Backend, SqlStore};
use crate::logic::{domains, invitations};

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
