//! Organization domains against a real Roster: create, update, verify ownership and delete with their typed
//! errors, automatic enrollment (invitations and suggestions), and the two lists with every filter.

use roster_client::funcs::{
    organization_domains_create, organization_domains_list, organization_domains_list_all,
    organization_domains_list_suggestions_for_user,
};
use roster_client::{
    AcceptOrganizationInvitationRequest, AcceptOrganizationInvitationRequestBody, CreateOrganizationDomainRequest,
    CreateOrganizationDomainRequestBody, DeleteOrganizationDomainRequest, ListAllOrganizationDomainsRequest,
    ListInstanceOrganizationInvitationsRequest, ListOrganizationDomainsRequest, ListOrganizationInvitationsRequest,
    ListUserOrganizationInvitationsRequest, ListUserOrganizationSuggestionsRequest, OrganizationDomains,
    UpdateOrganizationDomainRequest, UpdateOrganizationDomainRequestBody, VerifyOrganizationDomainOwnershipRequest,
};
use serde_json::json;

use crate::support::*;

fn domain_req(org: &str, name: &str, mode: Option<&str>, verified: Option<bool>) -> CreateOrganizationDomainRequest {
    CreateOrganizationDomainRequest {
        organization_id: org.to_owned(),
        request_body: CreateOrganizationDomainRequestBody {
            name: name.to_owned(),
            enrollment_mode: mode.map(str::to_owned),
            verified,
        },
    }
}

fn update_req(org: &str, id: &str, mode: Option<&str>, verified: Option<bool>) -> UpdateOrganizationDomainRequest {
    UpdateOrganizationDomainRequest {
        organization_id: org.to_owned(),
        domain_id: id.to_owned(),
        request_body: UpdateOrganizationDomainRequestBody { enrollment_mode: mode.map(str::to_owned), verified },
    }
}

fn names(page: &OrganizationDomains) -> Vec<String> {
    page.data.iter().map(|d| d.name.clone()).collect()
}

#[tokio::test]
async fn create_update_verify_and_delete() {
    let app = Roster::spawn().await;
    let owner = app.user("owner@example.com", "Owner", None).await;
    let acme = app.org("Acme", Some(&owner)).await;
    let globex = app.org("Globex", Some(&owner)).await;
    let api = app.clerk.organization_domains();

    // Off by default; then on with no automatic mode; then with both.
    assert_clerk_error(
        api.create(domain_req(&acme, "acme.com", None, None)).await,
        403,
        "organization_domains_not_enabled",
    );
    app.app
        .patch("/instance/organization_settings", json!({"domains_enabled": true, "domains_enrollment_modes": []}))
        .await
        .ok();
    assert_clerk_error(
        api.create(domain_req(&acme, "acme.com", Some("automatic_suggestion"), None)).await,
        403,
        "organization_domain_enrollment_mode_not_enabled",
    );
    enable_domains(&app).await;

    let d = api.create(domain_req(&acme, "Acme.COM", None, None)).await.unwrap();
    assert_eq!(
        (d.object.as_str(), d.name.as_str(), d.organization_id.as_str()),
        ("organization_domain", "acme.com", acme.as_str())
    );
    assert_eq!(d.enrollment_mode, "manual_invitation");
    assert_eq!(d.verification.as_ref().map(|v| v.status.as_str()), Some("unverified"));
    assert!(d.ownership_verification.is_none());
    assert_eq!(d.public_organization_data.as_ref().map(|o| o.name.as_str()), Some("Acme"));

    // A name belongs to one organization; common providers and non-names are refused.
    let taken = "organization_domain_already_exists";
    assert_clerk_error(api.create(domain_req(&globex, "acme.com", None, None)).await, 422, taken);
    assert_clerk_error(
        api.create(domain_req(&acme, "acme.com", None, None)).await,
        422,
        "organization_domain_already_exists_same_organization",
    );
    assert_clerk_error(api.create(domain_req(&acme, "gmail.com", None, None)).await, 422, "organization_domain_common");
    assert_clerk_error(
        api.create(domain_req(&acme, "not a domain", None, None)).await,
        422,
        "form_param_format_invalid",
    );
    assert_clerk_error(
        api.create(domain_req(&acme, "b.com", Some("sometimes"), None)).await,
        422,
        "form_param_value_invalid",
    );
    assert_clerk_error(api.create(domain_req("org_nope", "b.com", None, None)).await, 404, "resource_not_found");

    // A user already at the domain is invited once it is verified in automatic_invitation mode.
    let ann = app.user("ann@acme.com", "Ann", None).await;
    let auto = api.update(update_req(&acme, &d.id, Some("automatic_invitation"), None)).await.unwrap();
    assert_eq!((auto.enrollment_mode.as_str(), auto.total_pending_invitations), ("automatic_invitation", 0));
    let verify = VerifyOrganizationDomainOwnershipRequest { organization_id: acme.clone(), domain_id: d.id.clone() };
    let verified = api.verify_ownership(verify.clone()).await.unwrap();
    let ownership = verified.ownership_verification.clone().expect("verified ownership");
    assert_eq!((ownership.status.as_str(), ownership.strategy.as_str()), ("verified", "manual_override"));
    assert!(ownership.verified_at.is_some());
    assert_eq!(verified.total_pending_invitations, 1);
    assert_eq!(api.verify_ownership(verify).await.unwrap().ownership_verification, Some(ownership), "as it is");
    let invitations = app.clerk.organization_invitations();
    let for_ann = ListUserOrganizationInvitationsRequest { user_id: ann.clone(), ..Default::default() };
    let ann_invites = invitations.list_for_user(for_ann).await.unwrap();
    assert_eq!((ann_invites.total_count, ann_invites.data[0].invitation.role.as_str()), (1, "org:member"));
    let acme_list = ListOrganizationInvitationsRequest { organization_id: acme.clone(), ..Default::default() };
    assert_eq!(invitations.list(acme_list.clone()).await.unwrap().total_count, 0, "automatic ones are not listed");
    // The automatic invitation is accepted like any other.
    let accept = AcceptOrganizationInvitationRequest {
        organization_id: acme.clone(),
        invitation_id: ann_invites.data[0].invitation.id.clone(),
        request_body: AcceptOrganizationInvitationRequestBody { user_id: ann.clone() },
    };
    assert_eq!(invitations.accept(accept).await.unwrap().role, "org:member");

    // Unverify through update; update's errors.
    let unverified = api.update(update_req(&acme, &d.id, None, Some(false))).await.unwrap();
    assert!(unverified.ownership_verification.is_none());
    assert_clerk_error(api.update(update_req(&acme, "orgdmn_nope", None, Some(true))).await, 404, "resource_not_found");
    assert_clerk_error(
        api.update(update_req(&acme, &d.id, Some("sometimes"), None)).await,
        422,
        "form_param_value_invalid",
    );

    // Delete revokes its pending automatic invitations.
    let bo = app.user("bo@acme.com", "Bo", None).await;
    api.update(update_req(&acme, &d.id, None, Some(true))).await.unwrap();
    let pending = ListInstanceOrganizationInvitationsRequest { status: vec!["pending".into()], ..Default::default() };
    assert_eq!(emails_of(&invitations.list_all(pending.clone()).await.unwrap()), ["bo@acme.com"]);
    let delete = DeleteOrganizationDomainRequest { organization_id: acme.clone(), domain_id: d.id.clone() };
    let deleted = api.delete(delete.clone()).await.unwrap();
    assert_eq!(
        (deleted.object.as_str(), deleted.id.as_deref(), deleted.deleted),
        ("organization_domain", Some(d.id.as_str()), true)
    );
    assert_eq!(invitations.list_all(pending).await.unwrap().total_count, 0);
    let bo_invites =
        ListUserOrganizationInvitationsRequest { user_id: bo, status: Some("revoked".into()), ..Default::default() };
    assert_eq!(invitations.list_for_user(bo_invites).await.unwrap().total_count, 1);
    assert_clerk_error(api.delete(delete).await, 404, "resource_not_found");
    // Standalone create: the name is free again.
    let again = organization_domains_create(&app.clerk, domain_req(&globex, "acme.com", None, Some(true)), None).await;
    assert_eq!(again.unwrap().organization_id, globex);
}

#[tokio::test]
async fn the_domain_lists_filter_order_and_page() {
    let app = Roster::spawn().await;
    enable_domains(&app).await;
    let owner = app.user("owner@example.com", "Owner", None).await;
    let acme = app.org("Acme", Some(&owner)).await;
    let globex = app.org("Globex", Some(&owner)).await;
    let api = app.clerk.organization_domains();
    api.create(domain_req(&acme, "alpha.com", Some("automatic_invitation"), Some(true))).await.unwrap();
    api.create(domain_req(&acme, "beta.com", None, None)).await.unwrap();
    api.create(domain_req(&globex, "gamma.org", Some("automatic_suggestion"), Some(true))).await.unwrap();

    // The organization's list.
    let org = |verified: Option<bool>, modes: &[&str]| ListOrganizationDomainsRequest {
        organization_id: acme.clone(),
        verified,
        enrollment_mode: modes.iter().map(|m| m.to_string()).collect(),
        ..Default::default()
    };
    let mut all = names(&api.list(org(None, &[])).await.unwrap());
    all.sort();
    assert_eq!(all, ["alpha.com", "beta.com"]);
    assert_eq!(names(&api.list(org(Some(true), &[])).await.unwrap()), ["alpha.com"]);
    assert_eq!(names(&api.list(org(Some(false), &[])).await.unwrap()), ["beta.com"]);
    assert_eq!(names(&api.list(org(None, &["manual_invitation"])).await.unwrap()), ["beta.com"]);
    assert_eq!(names(&api.list(org(None, &["-manual_invitation"])).await.unwrap()), ["alpha.com"]);
    let both = api.list(org(None, &["manual_invitation", "automatic_invitation"])).await.unwrap();
    assert_eq!(both.total_count, 2);
    let page = organization_domains_list(
        &app.clerk,
        ListOrganizationDomainsRequest { limit: Some(1), offset: Some(1), ..org(None, &[]) },
        None,
    );
    let page = page.await.unwrap();
    assert_eq!((page.data.len(), page.total_count), (1, 2));
    assert_clerk_error(api.list(org(None, &["sometimes"])).await, 422, "form_param_value_invalid");
    // 404 is not declared for the organization's list: Api.
    let unknown = ListOrganizationDomainsRequest { organization_id: "org_nope".into(), ..Default::default() };
    assert_api_error(api.list(unknown).await, 404);

    // The instance's list.
    let list_all = |req: ListAllOrganizationDomainsRequest| {
        let api = api.clone();
        async move { api.list_all(req).await.unwrap() }
    };
    let by_name =
        |order: &str| ListAllOrganizationDomainsRequest { order_by: Some(order.into()), ..Default::default() };
    let asc = list_all(by_name("+name")).await;
    assert_eq!((names(&asc), asc.total_count), (vec!["alpha.com".into(), "beta.com".into(), "gamma.org".into()], 3));
    assert_eq!(names(&list_all(by_name("-name")).await), ["gamma.org", "beta.com", "alpha.com"]);
    let of_globex = ListAllOrganizationDomainsRequest { organization_id: Some(globex.clone()), ..Default::default() };
    assert_eq!(names(&list_all(of_globex).await), ["gamma.org"]);
    let unverified = ListAllOrganizationDomainsRequest { verified: Some(false), ..Default::default() };
    assert_eq!(names(&list_all(unverified).await), ["beta.com"]);
    let automatic = ListAllOrganizationDomainsRequest {
        enrollment_mode: vec!["automatic_invitation".into(), "automatic_suggestion".into()],
        ..by_name("+name")
    };
    assert_eq!(names(&list_all(automatic).await), ["alpha.com", "gamma.org"]);
    let excluded =
        ListAllOrganizationDomainsRequest { enrollment_mode: vec!["-automatic_suggestion".into()], ..by_name("+name") };
    assert_eq!(names(&list_all(excluded).await), ["alpha.com", "beta.com"]);
    let query = ListAllOrganizationDomainsRequest { query: Some("MM".into()), ..Default::default() };
    assert_eq!(names(&list_all(query).await), ["gamma.org"]);
    let exact = ListAllOrganizationDomainsRequest {
        domains: vec!["gamma.org".into(), "Alpha.com".into(), "zeta.com".into()],
        ..by_name("+name")
    };
    assert_eq!(
        names(&organization_domains_list_all(&app.clerk, exact, None).await.unwrap()),
        ["alpha.com", "gamma.org"]
    );
    let paged =
        list_all(ListAllOrganizationDomainsRequest { limit: Some(1), offset: Some(2), ..by_name("+name") }).await;
    assert_eq!((names(&paged), paged.total_count), (vec!["gamma.org".into()], 3));
    let bad_order = ListAllOrganizationDomainsRequest { order_by: Some("verified".into()), ..Default::default() };
    assert_clerk_error(api.list_all(bad_order).await, 422, "form_param_value_invalid");
}

#[tokio::test]
async fn suggestions_for_users_at_a_suggesting_domain() {
    let app = Roster::spawn().await;
    enable_domains(&app).await;
    let owner = app.user("owner@example.com", "Owner", None).await;
    let globex = app.org("Globex", Some(&owner)).await;
    let sam = app.user("sam@gamma.org", "Sam", None).await;
    let api = app.clerk.organization_domains();
    let d = api.create(domain_req(&globex, "gamma.org", Some("automatic_suggestion"), Some(true))).await.unwrap();
    assert_eq!(d.total_pending_suggestions, 1, "the user already there");
    // A user created later is suggested too.
    let tia = app.user("tia@gamma.org", "Tia", None).await;
    let suggestions =
        |user: &str| ListUserOrganizationSuggestionsRequest { user_id: user.to_owned(), ..Default::default() };

    let page = api.list_suggestions_for_user(suggestions(&sam)).await.unwrap();
    assert_eq!(page.total_count, 1);
    let s = &page.data[0];
    assert_eq!(
        (s.object.as_str(), s.status.as_str(), s.user_id.as_str()),
        ("organization_suggestion", "pending", sam.as_str())
    );
    assert_eq!((s.email_address.as_str(), s.organization_domain_id.as_str()), ("sam@gamma.org", d.id.as_str()));
    assert_eq!(s.public_organization_data.id, globex);
    let tia_page = organization_domains_list_suggestions_for_user(&app.clerk, suggestions(&tia), None).await.unwrap();
    assert_eq!(tia_page.total_count, 1);
    assert!(api.list_suggestions_for_user(suggestions(&owner)).await.unwrap().data.is_empty());

    // Joining the organization marks the suggestion accepted.
    let inv =
        app.clerk.organization_invitations().create(invite_req(&globex, "sam@gamma.org", "org:member")).await.unwrap();
    let accept = AcceptOrganizationInvitationRequest {
        organization_id: globex.clone(),
        invitation_id: inv.id,
        request_body: AcceptOrganizationInvitationRequestBody { user_id: sam.clone() },
    };
    app.clerk.organization_invitations().accept(accept).await.unwrap();
    assert_eq!(api.list_suggestions_for_user(suggestions(&sam)).await.unwrap().data[0].status, "accepted");

    // Paging reaches the server; an unknown user is a 404, a bad limit a 422.
    let empty = ListUserOrganizationSuggestionsRequest { offset: Some(1), ..suggestions(&sam) };
    let empty = api.list_suggestions_for_user(empty).await.unwrap();
    assert_eq!((empty.data.len(), empty.total_count), (0, 1));
    assert_clerk_error(api.list_suggestions_for_user(suggestions("user_nope")).await, 404, "resource_not_found");
    let bad = ListUserOrganizationSuggestionsRequest { limit: Some(0), ..suggestions(&sam) };
    assert_clerk_error(api.list_suggestions_for_user(bad).await, 422, "form_param_value_invalid");
    // Deleting the domain removes its suggestions.
    let delete = DeleteOrganizationDomainRequest { organization_id: globex.clone(), domain_id: d.id };
    api.delete(delete).await.unwrap();
    assert_eq!(api.list_suggestions_for_user(suggestions(&tia)).await.unwrap().total_count, 0);
}
