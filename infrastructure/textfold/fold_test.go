package textfold_test

import (
	"testing"

	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/infrastructure/textfold"
)

func TestFoldAccents(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Élodie Müller", "Elodie Muller"},
		{"Crème brûlée", "Creme brulee"},
		{"ﬁancé", "fiance"},
		{"plain", "plain"},
	}
	for _, tt := range tests {
		if got := textfold.FoldAccents(tt.in); got != tt.want {
			t.Errorf("FoldAccents(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := organization.Slug("  Élodie   Müller ", textfold.FoldAccents); got != "elodie-muller" {
		t.Errorf("Slug = %q", got)
	}
}
