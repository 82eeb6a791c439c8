package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY returns a new pseudo-terminal's two ends.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return m, s
}

// runAtTerminal is run with standard output a terminal, as at a laptop.
func runAtTerminal(t *testing.T, args ...string) result {
	t.Helper()
	master, slave := openPTY(t)
	defer master.Close()
	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(&out, master) // ends with EIO once the slave is closed
		close(done)
	}()
	var errb bytes.Buffer
	code := Run(context.Background(), append([]string{"kship"}, args...), strings.NewReader(""), slave, &errb)
	slave.Close()
	<-done
	return result{code: code, stdout: string(bytes.ReplaceAll(out.Bytes(), []byte("\r\n"), []byte("\n"))), stderr: errb.String()}
}
