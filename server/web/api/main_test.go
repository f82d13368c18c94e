package api_test

import (
	"os"
	"testing"

	"sova/internal/testapp"
)

// The tests run on copies of one fixture (internal/testapp), removed at the
// end.
func TestMain(m *testing.M) { os.Exit(testapp.Main(m)) }
