package organization

// Resource is something a permission applies to.
type Resource string

// Action is what may be done to a resource.
type Action string

// The resources of better-auth's default access-control statement.
const (
	ResourceOrganization  Resource = "organization"
	ResourceMember        Resource = "member"
	ResourceInvitation    Resource = "invitation"
	ResourceTeam          Resource = "team"
	ResourceAccessControl Resource = "ac"
)

// Statement lists the actions a role may take on each resource.
type Statement map[Resource][]Action

// Connector joins the actions requested on one resource.
type Connector int

// Connectors: every action (the default) or any one of them.
const (
	All Connector = iota
	Any
)

// Request asks for actions on a resource.
type Request struct {
	Actions   []Action
	Connector Connector
}

// Policy maps role names to statements. DefaultPolicy is better-auth's.
type Policy map[Role]Statement

// DefaultPolicy: owner may do everything, admin everything but delete the
// organization, member only read access control.
var DefaultPolicy = Policy{
	RoleOwner: {
		ResourceOrganization:  {"update", "delete"},
		ResourceMember:        {"create", "update", "delete"},
		ResourceInvitation:    {"create", "cancel"},
		ResourceTeam:          {"create", "update", "delete"},
		ResourceAccessControl: {"create", "read", "update", "delete"},
	},
	RoleAdmin: {
		ResourceOrganization:  {"update"},
		ResourceMember:        {"create", "update", "delete"},
		ResourceInvitation:    {"create", "cancel"},
		ResourceTeam:          {"create", "update", "delete"},
		ResourceAccessControl: {"create", "read", "update", "delete"},
	},
	RoleMember: {
		ResourceOrganization:  {},
		ResourceMember:        {},
		ResourceInvitation:    {},
		ResourceTeam:          {},
		ResourceAccessControl: {"read"},
	},
}

// Allows reports whether any one of roles grants every requested resource.
// Within a resource the actions combine with the request's connector. An
// unknown role, an unknown resource or an empty action list grants nothing,
// and so does an empty request.
func (p Policy) Allows(roles Roles, want map[Resource]Request) bool {
	if len(want) == 0 {
		return false
	}
	for _, role := range roles {
		if st, ok := p[role]; ok && st.grants(want) {
			return true
		}
	}
	return false
}

func (st Statement) grants(want map[Resource]Request) bool {
	for res, req := range want {
		allowed, ok := st[res]
		if !ok || len(req.Actions) == 0 {
			return false
		}
		if !req.satisfiedBy(allowed) {
			return false
		}
	}
	return true
}

func (req Request) satisfiedBy(allowed []Action) bool {
	has := func(a Action) bool {
		for _, x := range allowed {
			if x == a {
				return true
			}
		}
		return false
	}
	for _, a := range req.Actions {
		switch ok := has(a); {
		case ok && req.Connector == Any:
			return true
		case !ok && req.Connector == All:
			return false
		}
	}
	return req.Connector == All
}
