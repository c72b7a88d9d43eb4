package input

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// TestVocabularyIsBounded checks that made-up keys cannot grow the shared vocabulary past
// maxWords, and that long strings never join it.
func TestVocabularyIsBounded(t *testing.T) {
	w := newWords()
	learned := map[string]*ast.Term{}
	for i := range maxWords + 100 {
		learned[fmt.Sprint("key-", i)] = ast.StringTerm(fmt.Sprint("key-", i))
	}
	w.learn(learned)
	w.learn(map[string]*ast.Term{"one-more": ast.StringTerm("one-more")})
	if n := len(*w.words.Load()); n != maxWords {
		t.Errorf("vocabulary holds %d words, want %d", n, maxWords)
	}

	long := strings.Repeat("k", maxWordLen+1)
	if _, err := objectValue([]byte(`{"` + long + `":"` + long + `"}`)); err != nil {
		t.Fatal(err)
	}
	if _, ok := (*vocabulary.words.Load())[long]; ok {
		t.Errorf("a %d-byte word joined the vocabulary", len(long))
	}
}

// TestOnlyKeysJoinTheVocabulary checks that string values, mostly unique to one object
// (names, uids, timestamps), do not fill the vocabulary, and keys do.
func TestOnlyKeysJoinTheVocabulary(t *testing.T) {
	if _, err := objectValue([]byte(`{"metadata":{"uid":"7f0c2a1e-value-only","a-key-only-here":"x"}}`)); err != nil {
		t.Fatal(err)
	}
	known := *vocabulary.words.Load()
	if _, ok := known["7f0c2a1e-value-only"]; ok {
		t.Error("a string value joined the vocabulary")
	}
	if _, ok := known["a-key-only-here"]; !ok {
		t.Error("a key did not join the vocabulary")
	}
}

// TestObjectValueConcurrently builds objects with new and known words from many goroutines
// (run with -race): each must come out as its own JSON says.
func TestObjectValueConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				raw := fmt.Sprintf(`{"metadata":{"name":"n%d-%d"},"spec":{"shared":"ALL","own-%d-%d":[true,null,1.5]}}`, g, i, g, i%5)
				got, err := objectValue([]byte(raw))
				if err != nil {
					t.Error(err)
					return
				}
				if want := ast.MustParseTerm(raw).Value; got.Compare(want) != 0 {
					t.Errorf("got %v, want %v", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}
