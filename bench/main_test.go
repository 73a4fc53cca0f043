package bench

import (
	"testing"

	"github.com/seclambda/seclambda/internal/testpeer"
)

// TestMain stops the shared peers (local-kms, cognito-local, dynalite) that the
// secenv benchmarks and the cold-start measurement start.
func TestMain(m *testing.M) { testpeer.Main(m) }
