// SPDX-License-Identifier: MIT

// Command genenums writes enums.go and binding.h from libotaprio's public
// headers: go generate runs it with the include directory that holds
// otaprio/ (the repository's include/ by default).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"otaprio/internal/enumgen"
)

func main() {
	include := flag.String("include", "../../include", "directory holding otaprio/*.h")
	out := flag.String("out", ".", "directory to write enums.go and binding.h to")
	flag.Parse()
	if err := run(*include, *out); err != nil {
		fmt.Fprintln(os.Stderr, "genenums:", err)
		os.Exit(1)
	}
}

func run(include, out string) error {
	enums, macros, err := enumgen.Parse(filepath.Join(include, "otaprio"))
	if err != nil {
		return err
	}
	source, err := enumgen.Generate(enums)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "enums.go"), source, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "binding.h"), enumgen.GenerateHeader(macros), 0o644)
}
