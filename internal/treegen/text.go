package treegen

import (
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"
)

// words is the vocabulary of generated text. Some words are not ASCII, so
// that large data also exercises unicode handling.
var words = []string{
	"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
	"india", "juliett", "kilo", "lima", "mike", "november", "oscar", "papa",
	"quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey",
	"xray", "yankee", "zulu", "replica", "shard", "quorum", "ledger",
	"café", "naïve", "Straße", "東京", "данные", "κόσμος", "١٢٣", "✓",
}

// newRand returns a generator seeded from seed, so that output is stable.
func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x6b73686970)) // "kship"
}

// text returns about size bytes of lines of words, each line at most 100
// bytes, without trailing spaces, ending in a newline.
func text(r *rand.Rand, size int) string {
	var b strings.Builder
	b.Grow(size + 128)
	line := 0
	for b.Len() < size {
		w := words[r.IntN(len(words))]
		if line > 0 && line+1+len(w) > 100 {
			b.WriteByte('\n')
			line = 0
		}
		if line > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	b.WriteByte('\n')
	return b.String()
}

// sentence returns a short description of n words, ending in a period.
func sentence(r *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = words[r.IntN(len(words))]
	}
	s := strings.Join(ws, " ")
	first, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(first)) + s[size:] + "."
}
