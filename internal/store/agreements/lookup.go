package agreements

import (
	"context"
	"database/sql"
	"fmt"

	"pactum/internal/agreement"
	"pactum/internal/store/sqldb"
)

// AgreementsByReferences returns the stored agreements among refs, deleted ones included, with
// their titles and lists, by reference.
func (s *Agreements) AgreementsByReferences(ctx context.Context, refs []string) (map[string]*agreement.Agreement, error) {
	return agreementsByReferences(ctx, s.db, refs)
}

func agreementsByReferences(ctx context.Context, q sqldb.Querier, refs []string) (map[string]*agreement.Agreement, error) {
	found := make(map[string]*agreement.Agreement, len(refs))
	for start := 0; start < len(refs); start += 500 {
		chunk := refs[start:min(start+500, len(refs))]
		args := make([]any, len(chunk))
		for i, r := range chunk {
			args[i] = r
		}
		ids, err := sqldb.QueryIDs(ctx, q, "SELECT id FROM agreements WHERE reference IN ("+sqldb.Placeholders(len(chunk))+")", args...)
		if err != nil {
			return nil, fmt.Errorf("agreements by reference: %w", err)
		}
		if len(ids) == 0 {
			continue
		}
		list, err := agreementsByIDs(ctx, q, ids)
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			found[a.Reference] = a
		}
	}
	return found, nil
}

// AgreementHeads returns the stored agreements among refs, deleted ones included, by reference,
// with their ID, reference, type, deletion, confidentiality and officer only: what following a
// link to one (an amendment's, an interaction's, an import row's) needs of it, including whether
// the reader may see it (agreement.CanSee), without reading its titles and lists.
func (s *Agreements) AgreementHeads(ctx context.Context, refs []string) (map[string]*agreement.Agreement, error) {
	return agreementHeads(ctx, s.db, refs)
}

func agreementHeads(ctx context.Context, q sqldb.Querier, refs []string) (map[string]*agreement.Agreement, error) {
	found := make(map[string]*agreement.Agreement, len(refs))
	for start := 0; start < len(refs); start += 500 {
		chunk := refs[start:min(start+500, len(refs))]
		args := make([]any, len(chunk))
		for i, r := range chunk {
			args[i] = r
		}
		err := sqldb.EachRowOf(ctx, q, `SELECT id, reference, type_code, deleted_at, confidential, officer_id FROM agreements
			WHERE reference IN (`+sqldb.Placeholders(len(chunk))+")",
			args, func(scan func(...any) error) error {
				a := &agreement.Agreement{}
				var deletedAt sql.NullTime
				var officer sql.NullInt64
				if err := scan(&a.ID, &a.Reference, &a.Type, &deletedAt, &a.Confidential, &officer); err != nil {
					return err
				}
				a.DeletedAt, a.OfficerID = deletedAt.Time, officer.Int64
				found[a.Reference] = a
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("agreement heads: %w", err)
		}
	}
	return found, nil
}

// PartnerIDs returns the ids of the partners among keys, by key.
func (s *Agreements) PartnerIDs(ctx context.Context, keys []string) (map[string]int64, error) {
	return partnerIDs(ctx, s.db, keys)
}

func partnerIDs(ctx context.Context, q sqldb.Querier, keys []string) (map[string]int64, error) {
	return idsByName(ctx, q, "SELECT key, id FROM partners WHERE key IN ", keys)
}

// officerRoles are the roles of the accounts that may be responsible for an agreement.
const officerRoles = "'admin', 'officer', 'regional_officer'"

// OfficerIDs returns the ids of the active accounts among usernames that may be responsible for
// an agreement (administrators, officers and regional officers), by user name.
func (s *Agreements) OfficerIDs(ctx context.Context, usernames []string) (map[string]int64, error) {
	return officerIDs(ctx, s.db, usernames)
}

func officerIDs(ctx context.Context, q sqldb.Querier, usernames []string) (map[string]int64, error) {
	return idsByName(ctx, q, "SELECT username, id FROM users WHERE active AND role IN ("+officerRoles+") AND username IN ", usernames)
}

// idsByName runs query, which selects (name, id) and ends with "IN ", for names in chunks.
func idsByName(ctx context.Context, q sqldb.Querier, query string, names []string) (map[string]int64, error) {
	found := make(map[string]int64, len(names))
	for start := 0; start < len(names); start += 500 {
		chunk := names[start:min(start+500, len(names))]
		args := make([]any, len(chunk))
		for i, n := range chunk {
			args[i] = n
		}
		err := sqldb.EachRowOf(ctx, q, query+"("+sqldb.Placeholders(len(chunk))+")", args, func(scan func(...any) error) error {
			var name string
			var id int64
			err := scan(&name, &id)
			found[name] = id
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("look up ids: %w", err)
		}
	}
	return found, nil
}
