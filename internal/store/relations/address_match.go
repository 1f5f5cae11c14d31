package relations

import (
	"context"
	"fmt"
	"strings"

	"pactum/internal/interaction"
	"pactum/internal/store/sqldb"
)

// webmailDomains are shared by too many people to tell an organisation.
var webmailDomains = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "outlook.com": true, "hotmail.com": true, "live.com": true, "yahoo.com": true,
	"icloud.com": true, "me.com": true, "aol.com": true, "proton.me": true, "protonmail.com": true, "qq.com": true, "163.com": true,
	"126.com": true, "yandex.ru": true, "mail.ru": true, "gmx.net": true, "gmx.de": true, "web.de": true, "orange.fr": true,
}

// PartnersByAddresses recognises partners from e-mail addresses: by their contacts' addresses
// first, then by the domain of their website (not for webmail domains).
func (s *Relations) PartnersByAddresses(ctx context.Context, emails []string) ([]interaction.AddressMatch, error) {
	var order []string
	byKey := map[string]*interaction.AddressMatch{}
	add := func(key string, contact int64) {
		m, ok := byKey[key]
		if !ok {
			m = &interaction.AddressMatch{PartnerKey: key}
			byKey[key] = m
			order = append(order, key)
		}
		if contact != 0 {
			m.ContactIDs = append(m.ContactIDs, contact)
		}
	}
	for _, email := range emails {
		email = strings.ToLower(strings.TrimSpace(email))
		if email == "" {
			continue
		}
		rows, err := s.db.Query(ctx, `SELECT p.key, c.id FROM contacts c JOIN partners p ON p.id = c.partner_id
			WHERE lower(c.email) = ? ORDER BY p.key`, email)
		if err != nil {
			return nil, fmt.Errorf("partners by address: %w", err)
		}
		found := false
		for rows.Next() {
			var key string
			var id int64
			if err := rows.Scan(&key, &id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("partners by address: %w", err)
			}
			add(key, id)
			found = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("partners by address: %w", err)
		}
		_, domain, _ := strings.Cut(email, "@")
		if found || domain == "" || webmailDomains[domain] {
			continue
		}
		// The website's host is the domain or a subdomain of it: www.kestrel.example for kestrel.example.
		keys, err := sqldb.QueryStrings(ctx, s.db, `SELECT key FROM partners WHERE lower(website) LIKE ? OR lower(website) LIKE ?
			OR lower(website) LIKE ? OR lower(website) LIKE ? ORDER BY key LIMIT 5`,
			"%://"+domain, "%://"+domain+"/%", "%."+domain, "%."+domain+"/%")
		if err != nil {
			return nil, fmt.Errorf("partners by address: %w", err)
		}
		for _, k := range keys {
			add(k, 0)
		}
	}
	out := make([]interaction.AddressMatch, 0, len(order))
	for _, k := range order {
		out = append(out, *byKey[k])
	}
	return out, nil
}
