"""Who signed a request, and which identity policies apply to it (reads moto's IAM/STS state).

resolve(account, access_key) -> Principal or None:
  * an IAM user's access key (AKIA...): the user's inline and attached policies and those of its groups;
  * an assumed-role session's key (ASIA..., from sts:AssumeRole): the role's inline and attached
    policies, plus the session policy passed to AssumeRole, if any (AWS: the session gets the
    intersection, so both must allow).
`visible(grant)` hides grants made less than iam-delay seconds ago (the iam-delay fault).
"""
from .policy import load_document


class Principal:
    def __init__(self, kind, arn, principal_arn, name, documents, context, variables, session_policy=None):
        self.kind = kind                    # "user" | "assumed-role"
        self.arn = arn                      # as AWS names the caller in errors
        self.principal_arn = principal_arn  # aws:PrincipalArn (the role's ARN for a role session)
        self.name = name
        self.documents = documents
        self.context = context              # the principal's part of the request context
        self.variables = variables
        self.session_policy = session_policy


def default_document(policy):
    for version in policy.versions:
        if version.is_default:
            return version.document
    return getattr(policy, "document", "{}")


def _always(grant):
    return True


def resolve(account, access_key, visible=_always):
    if not access_key:
        return None
    from moto.iam.models import iam_backends
    iam = iam_backends[account]["aws"]
    user = iam.get_user_from_access_key_id(access_key)
    if user is not None:
        return _user(account, iam, user, visible)
    from moto.sts.models import sts_backends
    session = sts_backends[account]["aws"].get_assumed_role_from_access_key(access_key)
    if session is not None:
        return _role_session(account, iam, session, visible)
    return None


def caller_arn(account, access_key):
    """The ARN of the access key's owner, for the call log (None if unknown); cheap: no documents."""
    if not access_key:
        return None
    try:
        from moto.iam.models import iam_backends
        user = iam_backends[account]["aws"].get_user_from_access_key_id(access_key)
        if user is not None:
            return user.arn
        from moto.sts.models import sts_backends
        session = sts_backends[account]["aws"].get_assumed_role_from_access_key(access_key)
        if session is not None:
            return f"arn:aws:sts::{account}:assumed-role/{session.role_arn.split('/')[-1]}/{session.session_name}"
    except Exception:  # a half-created entity must never break the request being logged
        return None
    return None


def _own_documents(kind, entity, visible):
    """The inline and attached managed policies of a user, group or role (kind) that the checks may see
    (visible: the iam-delay fault hides fresh grants)."""
    documents = [load_document(text) for name, text in entity.policies.items()
                 if visible((f"{kind}-inline", entity.name, name))]
    documents += [load_document(default_document(policy)) for arn, policy in entity.managed_policies.items()
                  if visible((f"{kind}-managed", entity.name, arn)) and visible(("policy", arn, None))]
    return documents


def _user(account, iam, user, visible):
    documents = _own_documents("user", user, visible)
    for group in iam.get_groups_for_user(user.name):
        if visible(("membership", group.name, user.name)):
            documents += _own_documents("group", group, visible)
    context = {"aws:username": [user.name], "aws:userid": [user.id], "aws:principalarn": [user.arn],
               "aws:principalaccount": [account], "aws:principaltype": ["User"]}
    variables = {"aws:username": user.name, "aws:userid": user.id, "aws:principalaccount": account}
    return Principal("user", user.arn, user.arn, user.name, documents, context, variables)


def _role_session(account, iam, session, visible):
    arn = f"arn:aws:sts::{account}:assumed-role/{session.role_arn.split('/')[-1]}/{session.session_name}"
    try:
        role = iam.get_role_by_arn(session.role_arn)
    except Exception:
        role = None
    documents = []
    role_id = "AROAUNKNOWN"
    if role is not None:
        role_id = role.id
        documents = _own_documents("role", role, visible)
    userid = f"{role_id}:{session.session_name}"
    context = {"aws:userid": [userid], "aws:principalarn": [session.role_arn],
               "aws:principalaccount": [account], "aws:principaltype": ["AssumedRole"]}
    variables = {"aws:userid": userid, "aws:principalaccount": account}
    session_policy = load_document(session.policy) if session.policy else None
    return Principal("assumed-role", arn, session.role_arn, session.session_name, documents, context, variables,
                     session_policy)


def authorize(principal, action, resource, request_context, evaluate):
    """The verdict for principal doing action on resource: the identity policies decide; a session
    policy, when present, must allow too (an explicit Deny in either wins)."""
    context = dict(principal.context)
    context.update(request_context)
    verdict = evaluate(principal.documents, action, resource, context, principal.variables)
    if principal.session_policy is None or verdict != "allow":
        return verdict
    session = evaluate([principal.session_policy], action, resource, context, principal.variables)
    return "allow" if session == "allow" else session
