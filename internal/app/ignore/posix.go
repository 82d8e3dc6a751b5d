package ignore

// posixNames are the "[:name:]" classes git's wildmatch knows. Like git in
// the C locale they only ever contain ASCII characters.
var posixNames = [...]string{
	"alnum", "alpha", "blank", "cntrl", "digit", "graph",
	"lower", "print", "punct", "space", "upper", "xdigit",
}

func posixIndex(name string) int {
	for i, n := range posixNames {
		if n == name {
			return i
		}
	}
	return -1
}

// asciiClasses holds, per ASCII character, the bit set of the classes it
// belongs to, so a class test is one lookup instead of a chain of range
// checks.
var asciiClasses = func() (t [128]uint16) {
	for r := rune(0); r < 128; r++ {
		lower := 'a' <= r && r <= 'z'
		upper := 'A' <= r && r <= 'Z'
		digit := '0' <= r && r <= '9'
		graph := 33 <= r && r <= 126
		in := [len(posixNames)]bool{
			lower || upper || digit,
			lower || upper,
			r == ' ' || r == '\t',
			r < 32 || r == 127,
			digit,
			graph,
			lower,
			graph || r == ' ',
			graph && !(lower || upper || digit),
			r == ' ' || ('\t' <= r && r <= '\r'),
			upper,
			digit || ('a' <= r && r <= 'f') || ('A' <= r && r <= 'F'),
		}
		for i, ok := range in {
			if ok {
				t[r] |= 1 << i
			}
		}
	}
	return t
}()
