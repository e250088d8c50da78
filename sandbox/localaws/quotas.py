"""IAM quotas the sandbox enforces the way AWS does — every limit named once, here, with its source.

moto accepts documents and attachments AWS refuses (a 13,375-character managed policy, an oversized
user inline policy, an 11th managed policy on a user...). The checks below are pure (document text
and counts in, an error message or None out); install() wraps moto's IAM backend with them so the
refusal comes from inside moto's request handling — after its signature and permission checks, as
in AWS — serialized as AWS serializes it: error code LimitExceeded, HTTP 409.

Sources:
  QUOTAS_URL       https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
                   ("IAM doesn't count white space when calculating the size of a policy")
  CreatePolicy, CreatePolicyVersion, PutUserPolicy, PutGroupPolicy, PutRolePolicy, AttachUserPolicy,
  AttachGroupPolicy, AttachRolePolicy, CreateRole, UpdateAssumeRolePolicy API references: error
  LimitExceeded ("The request was rejected because it attempted to create resources beyond the
  current AWS account limits"), HTTP status 409; e.g.
  https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html
"""
import re

QUOTAS_URL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
VERSIONING_URL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html"

# name: (limit, unit/meaning, source)
LIMITS = {
    "ManagedPolicySize": (6144, "characters of a managed policy document, whitespace not counted", QUOTAS_URL),
    "UserInlinePolicySize": (2048, "characters of all inline policies of a user together, whitespace not counted", QUOTAS_URL),
    "GroupInlinePolicySize": (5120, "characters of all inline policies of a group together, whitespace not counted", QUOTAS_URL),
    "RoleInlinePolicySize": (10240, "characters of all inline policies of a role together, whitespace not counted", QUOTAS_URL),
    "RoleTrustPolicySize": (2048, "characters of a role trust policy (default quota), whitespace not counted", QUOTAS_URL),
    "ManagedPoliciesPerUser": (10, "managed policies attached to one user (default quota)", QUOTAS_URL),
    "ManagedPoliciesPerGroup": (10, "managed policies attached to one group", QUOTAS_URL),
    "ManagedPoliciesPerRole": (10, "managed policies attached to one role (default quota)", QUOTAS_URL),
    "VersionsPerPolicy": (5, "stored versions of one managed policy", VERSIONING_URL),
}


def limit(name):
    return LIMITS[name][0]


def policy_size(text):
    """Characters of a policy document as IAM counts them: white space is not counted."""
    return len(re.sub(r"\s", "", text or ""))


INLINE_LIMIT = {"user": "UserInlinePolicySize", "group": "GroupInlinePolicySize", "role": "RoleInlinePolicySize"}
ATTACH_LIMIT = {"user": ("ManagedPoliciesPerUser", "PoliciesPerUser"),
                "group": ("ManagedPoliciesPerGroup", "PoliciesPerGroup"),
                "role": ("ManagedPoliciesPerRole", "PoliciesPerRole")}


def check_managed_policy(document):
    """CreatePolicy / CreatePolicyVersion document size."""
    if policy_size(document) > limit("ManagedPolicySize"):
        return f"Cannot exceed quota for PolicySize: {limit('ManagedPolicySize')}"
    return None


def check_inline_policy(kind, entity, existing, policy_name, document):
    """Put{User,Group,Role}Policy: the aggregate of the entity's inline policies after the put
    (a same-named policy is replaced). existing: policy name -> document text."""
    quota = limit(INLINE_LIMIT[kind])
    total = sum(policy_size(text) for name, text in existing.items() if name != policy_name) + policy_size(document)
    if total > quota:
        return f"Maximum policy size of {quota} bytes exceeded for {kind} {entity}"
    return None


def check_attach(kind, attached_arns, policy_arn):
    """Attach{User,Group,Role}Policy: attaching an already attached policy changes nothing."""
    name, label = ATTACH_LIMIT[kind]
    if policy_arn in attached_arns:
        return None
    if len(attached_arns) + 1 > limit(name):
        return f"Cannot exceed quota for {label}: {limit(name)}"
    return None


def check_new_version(version_count):
    """CreatePolicyVersion when the policy already has version_count versions."""
    if version_count + 1 > limit("VersionsPerPolicy"):
        return (f"A managed policy can have up to {limit('VersionsPerPolicy')} versions. "
                "Before you create a new version, you must delete an existing version.")
    return None


def check_trust_policy(document):
    if policy_size(document) > limit("RoleTrustPolicySize"):
        return f"Cannot exceed quota for ACLSizePerRole: {limit('RoleTrustPolicySize')}"
    return None


def install():
    """Wrap moto's IAM backend methods with the checks above (idempotent)."""
    from moto.iam.exceptions import LimitExceededException
    from moto.iam.models import IAMBackend

    if getattr(IAMBackend, "_sandbox_quotas", False):
        return
    IAMBackend._sandbox_quotas = True

    def refuse(message):
        if message:
            raise LimitExceededException(message)

    def wrap(name, check):
        original = getattr(IAMBackend, name)

        def wrapper(self, *args, **kwargs):
            check(self, *args, **kwargs)
            return original(self, *args, **kwargs)
        wrapper.__name__ = name
        setattr(IAMBackend, name, wrapper)

    def arg(args, kwargs, index, name):
        return kwargs[name] if name in kwargs else args[index]

    wrap("create_policy", lambda self, *a, **k: refuse(check_managed_policy(arg(a, k, 2, "policy_document"))))

    def create_version(self, *a, **k):
        refuse(check_managed_policy(arg(a, k, 1, "policy_document")))
        policy = self.managed_policies.get(arg(a, k, 0, "policy_arn"))
        if policy is not None:
            refuse(check_new_version(len(policy.versions)))
    wrap("create_policy_version", create_version)

    for kind, getter in (("user", "get_user"), ("group", "get_group"), ("role", "get_role")):
        def put(self, *a, _kind=kind, _getter=getter, **k):
            entity = getattr(self, _getter)(arg(a, k, 0, f"{_kind}_name"))
            refuse(check_inline_policy(_kind, entity.name, dict(entity.policies), arg(a, k, 1, "policy_name"),
                                       arg(a, k, 2, "policy_json")))

        def attach(self, *a, _kind=kind, _getter=getter, **k):
            entity = getattr(self, _getter)(arg(a, k, 1, f"{_kind}_name"))
            refuse(check_attach(_kind, set(entity.managed_policies), arg(a, k, 0, "policy_arn")))
        wrap(f"put_{kind}_policy", put)
        wrap(f"attach_{kind}_policy", attach)

    wrap("create_role", lambda self, *a, **k: refuse(check_trust_policy(arg(a, k, 1, "assume_role_policy_document"))))
    wrap("update_assume_role_policy", lambda self, *a, **k: refuse(check_trust_policy(arg(a, k, 1, "policy_document"))))
