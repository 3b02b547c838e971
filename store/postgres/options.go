package postgres

// Option configures a Store.
type Option func(*config)

type config struct {
	deliveries int
}

// WithDeliveryRecords sets how many webhook delivery records the store keeps of each
// workspace, and of those with no workspace (10,000 by default, and when n
// is not positive). A record takes about 300 bytes in PostgreSQL, indexes included.
func WithDeliveryRecords(n int) Option { return func(c *config) { c.deliveries = n } }
