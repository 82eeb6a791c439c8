package kube

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// CAFingerprint returns "sha256:" and the hex SHA-256 of the DER bytes of
// the first certificate authority the context trusts for its API server:
// what kship.yaml's clusterCA pins.
func (c *Client) CAFingerprint() (string, error) {
	data := c.Config.TLSClientConfig.CAData
	if len(data) == 0 && c.Config.TLSClientConfig.CAFile != "" {
		var err error
		if data, err = os.ReadFile(c.Config.TLSClientConfig.CAFile); err != nil {
			return "", fmt.Errorf("reading the context's certificate authority: %w", err)
		}
	}
	for len(data) > 0 {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type == "CERTIFICATE" {
			sum := sha256.Sum256(block.Bytes)
			return "sha256:" + hex.EncodeToString(sum[:]), nil
		}
	}
	return "", errors.New("the context names no certificate authority (certificate-authority or certificate-authority-data) for its cluster")
}
