package gitfs

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// catFile is a running `git cat-file --batch`: one process answers every
// blob request, instead of one process per file.
type catFile struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func startCatFile(ctx context.Context, dir string) (*catFile, error) {
	cmd := command(ctx, dir, "cat-file", "--batch")
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	return &catFile{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 64<<10)}, nil
}

// blob returns the content of the blob named sha.
func (c *catFile) blob(sha string) ([]byte, error) {
	if _, err := io.WriteString(c.in, sha+"\n"); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	header, err := c.out.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	// "<sha> <type> <size>\n", or "<sha> missing\n".
	fields := strings.Fields(header)
	if len(fields) != 3 || fields[1] != "blob" {
		return nil, fmt.Errorf("git cat-file %s: %s", sha, strings.TrimSpace(header))
	}
	size, err := strconv.Atoi(fields[2])
	if err != nil {
		return nil, fmt.Errorf("git cat-file %s: bad size in %q", sha, strings.TrimSpace(header))
	}
	data := make([]byte, size+1) // the content and a newline
	if _, err := io.ReadFull(c.out, data); err != nil {
		return nil, fmt.Errorf("git cat-file %s: %w", sha, err)
	}
	return data[:size], nil
}

// close ends the process.
func (c *catFile) close() error {
	if err := c.in.Close(); err != nil {
		return err
	}
	return c.cmd.Wait()
}
