// Package secrets decrypts SOPS-encrypted files in memory, for the build
// and for kubeconfigs.
//
// A Decryptor turns a file that carries SOPS metadata (YAML, JSON, dotenv,
// INI, or sops's binary format) into its plaintext, with the MAC verified
// and the data key found as the sops CLI finds it (SOPS_AGE_KEY,
// SOPS_AGE_KEY_FILE, the default age keys file, the AWS credential chain
// for KMS, and the library's other key services). Files without SOPS
// metadata pass through byte for byte. With NoDecrypt it needs no key and
// renders each encrypted value as Placeholder instead.
//
// It remembers which values it decrypted, so that the caller can tell
// which built objects hold them (Holds: a ConfigMap generated from an
// encrypted file) and mask them. It also notes the files it was given in
// plaintext, and Plaintext reports those that hold a Secret (a v1 Secret
// manifest, or a secretGenerator source) although a .sops.yaml creation
// rule says they are to be encrypted; it names files, never values.
//
// It keeps plaintext in memory only: it writes no file, prints nothing,
// and no error of it quotes a value. It does not encrypt, and does not
// decide what is shown: the CLI does.
package secrets
