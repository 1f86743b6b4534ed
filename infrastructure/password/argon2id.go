package password

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Argon2Params are argon2id's cost parameters and sizes.
type Argon2Params struct {
	// Memory in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism (lanes).
	Threads uint8
	// KeyLen and SaltLen are in bytes.
	KeyLen, SaltLen uint32
}

// DefaultArgon2Params are OWASP's minimum for argon2id (m=19 MiB, t=2,
// p=1) with a 32-byte key and a 16-byte salt.
var DefaultArgon2Params = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}

// Ceilings on argon2id parameters, for configured and stored hashes alike.
// The upper ones keep a planted hash from costing more than a gigabyte or
// seconds of CPU per attempt; the lower ones are the Argon2 specification's
// (RFC 9106: 8 KiB per lane, an 8-byte salt), except the key, which is 16
// bytes so that a guess cannot match by chance.
const (
	maxArgon2Memory  = 1 << 20 // KiB: 1 GiB
	maxArgon2Time    = 100
	maxArgon2Threads = 64
	minArgon2Salt    = 8
	maxArgon2Salt    = 64
	minKeyLen        = 16
	maxKeyLen        = 512
)

func (p Argon2Params) withDefaults() Argon2Params {
	d := DefaultArgon2Params
	if p.Memory == 0 {
		p.Memory = d.Memory
	}
	if p.Time == 0 {
		p.Time = d.Time
	}
	if p.Threads == 0 {
		p.Threads = d.Threads
	}
	if p.KeyLen == 0 {
		p.KeyLen = d.KeyLen
	}
	if p.SaltLen == 0 {
		p.SaltLen = d.SaltLen
	}
	return p
}

// validate reports every parameter out of range. A zero Time or Threads
// would make argon2.IDKey panic; the ceilings bound the work.
func (p Argon2Params) validate() error {
	var errs []error
	if p.Threads < 1 || p.Threads > maxArgon2Threads {
		errs = append(errs, fmt.Errorf("argon2id threads %d not in [1, %d]", p.Threads, maxArgon2Threads))
	}
	if p.Memory < 8*uint32(p.Threads) || p.Memory > maxArgon2Memory {
		errs = append(errs, fmt.Errorf("argon2id memory %d KiB not in [8×threads, %d]", p.Memory, maxArgon2Memory))
	}
	if p.Time < 1 || p.Time > maxArgon2Time {
		errs = append(errs, fmt.Errorf("argon2id time %d not in [1, %d]", p.Time, maxArgon2Time))
	}
	if p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen {
		errs = append(errs, fmt.Errorf("argon2id key length %d not in [%d, %d]", p.KeyLen, minKeyLen, maxKeyLen))
	}
	if p.SaltLen < minArgon2Salt || p.SaltLen > maxArgon2Salt {
		errs = append(errs, fmt.Errorf("argon2id salt length %d not in [%d, %d]", p.SaltLen, minArgon2Salt, maxArgon2Salt))
	}
	return errors.Join(errs...)
}

// argon2idHash is "$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<key>"
// with salt and key in unpadded standard base64: the PHC string the
// reference implementation, libsodium, Kratos and GoTrue write. params
// holds the key and salt lengths found, so NeedsRehash compares one value.
type argon2idHash struct {
	params    Argon2Params
	salt, key []byte
}

func (a argon2idHash) derive(k *kdf, password []byte) []byte {
	return k.argon2id(password, a.salt, a.params.Time, a.params.Memory, a.params.Threads, a.params.KeyLen)
}

func (a argon2idHash) matches(k *kdf, password []byte) (bool, error) {
	return subtle.ConstantTimeCompare(a.derive(k, password), a.key) == 1, nil
}

func (a argon2idHash) String() string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s",
		a.params.Memory, a.params.Time, a.params.Threads, b64.EncodeToString(a.salt), b64.EncodeToString(a.key))
}

// parseArgon2id reads a PHC string and checks its parameters. Only version
// 19 (Argon2 1.3) exists in golang.org/x/crypto; an older hash is refused
// rather than silently computed with the wrong algorithm.
func parseArgon2id(encoded string) (argon2idHash, error) {
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	if len(parts) != 6 || parts[2] != "v=19" {
		return argon2idHash{}, fmt.Errorf("%w: not an argon2id v=19 PHC string", errMalformed)
	}
	var m, t, p uint64
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return argon2idHash{}, fmt.Errorf("%w: argon2id parameters are not m,t,p", errMalformed)
	}
	for i, f := range []struct {
		name string
		dst  *uint64
	}{{"m", &m}, {"t", &t}, {"p", &p}} {
		v, ok := strings.CutPrefix(fields[i], f.name+"=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil {
			return argon2idHash{}, fmt.Errorf("%w: argon2id parameter %s", errMalformed, f.name)
		}
		*f.dst = n
	}
	// Some encoders pad; the reference one does not.
	salt, errSalt := base64.RawStdEncoding.DecodeString(strings.TrimRight(parts[4], "="))
	key, errKey := base64.RawStdEncoding.DecodeString(strings.TrimRight(parts[5], "="))
	if errSalt != nil || errKey != nil {
		return argon2idHash{}, fmt.Errorf("%w: argon2id salt or key is not base64", errMalformed)
	}
	if p > maxArgon2Threads {
		return argon2idHash{}, fmt.Errorf("%w: argon2id threads %d above %d", errMalformed, p, maxArgon2Threads)
	}
	a := argon2idHash{
		params: Argon2Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(p), KeyLen: uint32(len(key)), SaltLen: uint32(len(salt))},
		salt:   salt, key: key,
	}
	if err := a.params.validate(); err != nil {
		return argon2idHash{}, fmt.Errorf("%w: %w", errMalformed, err)
	}
	return a, nil
}
