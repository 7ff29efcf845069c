//! `Directories` for every SQL backend: SCIM directories, their mappings, and the resources provisioned through
//! them (`crate::logic::scim`).

use std::collections::HashMap;

use async_trait::async_trait;

use roster_core::model::Page;
use roster_core::query::Pagination;
use roster_core::scim::{
    Directories, Directory, DirectoryCredentials, DirectoryUpdate, GroupChange, GroupRoleMapping, GroupWrite, Lookup,
    NewDirectory, NewGroupRoleMapping, Resource, ResourceKind, UserChange, UserWrite,
};
use roster_core::store::Result;
use roster_core::{DirectoryId, InstanceId};

use super::{Backend, SqlStore};
use crate::logic::scim;

#[async_trait]
impl<B: Backend> Directories for SqlStore<B> {
    async fn create_directory(&self, instance_id: &InstanceId, new: NewDirectory) -> Result<(Directory, String)> {
        let (ins, cache) = (instance_id.to_owned(), self.write_roles.clone());
        self.write(move |c| scim::create(c, &cache, &ins, new.clone())).await
    }

    async fn list_directories(&self, instance_id: &InstanceId, page: Pagination) -> Result<Page<Directory>> {
        let (ins, cache) = (instance_id.to_owned(), self.roles.clone());
        self.backend.read(move |c| scim::list(c, &cache, &ins, page)).await
    }

    async fn get_directory(&self, instance_id: &InstanceId, id: &DirectoryId) -> Result<Directory> {
        let (ins, id, cache) = (instance_id.to_owned(), id.to_owned(), self.roles.clone());
        self.backend.read(move |c| scim::get_directory(c, &cache, &ins, &id)).await
    }

    async fn update_directory(
        &self,
        instance_id: &InstanceId,
        id: &DirectoryId,
        update: DirectoryUpdate,
    ) -> Result<Directory> {
        let (ins, id, cache) = (instance_id.to_owned(), id.to_owned(), self.write_roles.clone());
        self.write(move |c| scim::update(c, &cache, &ins, &id, update.clone())).await
    }

    async fn delete_directory(&self, instance_id: &InstanceId, id: &DirectoryId) -> Result<Directory> {
        let (ins, id, cache) = (instance_id.to_owned(), id.to_owned(), self.write_roles.clone());
        self.write(move |c| scim::delete_directory(c, &cache, &ins, &id)).await
    }

    async fn rotate_directory_key(&self, instance_id: &InstanceId, id: &DirectoryId) -> Result<(Directory, String)> {
        let (ins, id, cache) = (instance_id.to_owned(), id.to_owned(), self.write_roles.clone());
        self.write(move |c| scim::rotate_key(c, &cache, &ins, &id)).await
    }

    async fn list_group_role_mappings(
        &self,
        instance_id: &InstanceId,
        id: &DirectoryId,
    ) -> Result<Vec<GroupRoleMapping>> {
        let (ins, id, cache) = (instance_id.to_owned(), id.to_owned(), self.roles.clone());
        self.backend.read(move |c| scim::list_mappings(c, &cache, &ins, &id)).await
    }

    async fn create_group_role_mapping(
        &self,
        instance_id: &InstanceId,
        id: &DirectoryId,
        new: NewGroupRoleMapping,
    ) -> Result<GroupRoleMapping> {
        let (ins, id, cache) = (instance_id.to_owned(), id.to_owned(), self.write_roles.clone());
        self.write(move |c| scim::create_mapping(c, &cache, &ins, &id, new.clone())).await
    }

    async fn replace_group_role_mappings(
        &self,
        instance_id: &InstanceId,
        id: &DirectoryId,
        mappings: Vec<NewGroupRoleMapping>,
    ) -> Result<Vec<GroupRoleMapping>> {
        let (ins, id, cache) = (instance_id.to_owned(), id.to_owned(), self.write_roles.clone());
        self.write(move |c| scim::replace_mappings(c, &cache, &ins, &id, mappings.clone())).await
    }

    async fn delete_group_role_mapping(
        &self,
        instance_id: &InstanceId,
        id: &DirectoryId,
        mapping_id: &str,
    ) -> Result<GroupRoleMapping> {
        let (ins, id, mapping, cache) =
            (instance_id.to_owned(), id.to_owned(), mapping_id.to_owned(), self.write_roles.clone());
        self.write(move |c| scim::delete_mapping(c, &cache, &ins, &id, &mapping)).await
    }

    async fn directory_credentials(&self, id: &DirectoryId) -> Result<Option<DirectoryCredentials>> {
        let (id, cache) = (id.to_owned(), self.roles.clone());
        self.backend.read(move |c| scim::credentials(c, &cache, &id)).await
    }

    async fn scim_get(&self, dir: &DirectoryCredentials, kind: ResourceKind, id: &str) -> Result<Resource> {
        let (dir, id) = (dir.clone(), id.to_owned());
        self.backend.read(move |c| scim::get(c, &dir, kind, &id)).await
    }

    async fn scim_find(&self, dir: &DirectoryCredentials, kind: ResourceKind, lookup: Lookup) -> Result<Vec<Resource>> {
        let dir = dir.clone();
        self.backend.read(move |c| scim::find(c, &dir, kind, lookup.clone())).await
    }

    async fn scim_page(
        &self,
        dir: &DirectoryCredentials,
        kind: ResourceKind,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<Resource>, usize)> {
        let dir = dir.clone();
        self.backend.read(move |c| scim::page(c, &dir, kind, offset, limit)).await
    }

    async fn scim_groups_of(
        &self,
        dir: &DirectoryCredentials,
        user_ids: Vec<String>,
    ) -> Result<HashMap<String, Vec<(String, String)>>> {
        let dir = dir.clone();
        self.backend.read(move |c| scim::groups_of(c, &dir, &user_ids)).await
    }

    async fn scim_create_user(&self, dir: &DirectoryCredentials, user: UserWrite) -> Result<Resource> {
        let (dir, cache) = (dir.clone(), self.write_roles.clone());
        self.write(move |c| scim::create_user(c, &cache, &dir, user.clone())).await
    }

    async fn scim_update_user(&self, dir: &DirectoryCredentials, id: &str, change: UserChange) -> Result<Resource> {
        let (dir, id, cache) = (dir.clone(), id.to_owned(), self.write_roles.clone());
        self.write(move |c| scim::replace_user(c, &cache, &dir, &id, change.as_ref())).await
    }

    async fn scim_create_group(&self, dir: &DirectoryCredentials, group: GroupWrite) -> Result<Resource> {
        let (dir, cache) = (dir.clone(), self.write_roles.clone());
        self.write(move |c| scim::create_group(c, &cache, &dir, group.clone())).await
    }

    async fn scim_update_group(&self, dir: &DirectoryCredentials, id: &str, change: GroupChange) -> Result<Resource> {
        let (dir, id, cache) = (dir.clone(), id.to_owned(), self.write_roles.clone());
        self.write(move |c| scim::replace_group(c, &cache, &dir, &id, change.as_ref())).await
    }

    async fn scim_delete(
        &self,
        dir: &DirectoryCredentials,
        kind: ResourceKind,
        id: &str,
        version: Option<i64>,
    ) -> Result<()> {
        let (dir, id, cache) = (dir.clone(), id.to_owned(), self.write_roles.clone());
        self.write(move |c| scim::delete(c, &cache, &dir, kind, &id, version)).await
    }
}
