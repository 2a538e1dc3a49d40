// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"fmt"

	"otaprio"
)

// A small catalog: os 11.0, 11.2, 12.0 and bootloader 1, 2; os-12 needs
// os >= 11.2 and bootloader >= 2. Which devices can take os-12 now, and
// what the first one must install before.
func ExampleCatalog() {
	b, err := otaprio.NewCatalogBuilder()
	if err != nil {
		panic(err)
	}
	defer b.Close()
	osID, _ := b.AddComponent("os")
	boot, _ := b.AddComponent("bootloader")
	for _, v := range []string{"11.0", "11.2", "12.0"} {
		b.AddVersion(osID, v)
	}
	b.AddVersion(boot, "1")
	b.AddVersion(boot, "2")
	add := func(name string, bytes uint64) uint32 {
		p := otaprio.DefaultPackage()
		p.Name, p.DownloadBytes = name, bytes
		id, err := b.AddPackage(p)
		if err != nil {
			panic(err)
		}
		return id
	}
	step := add("os-11.2", 10)
	b.AddRelation(step, otaprio.RelationProvides, osID, "11.2")
	loader := add("boot-2", 5)
	b.AddRelation(loader, otaprio.RelationProvides, boot, "2")
	major := add("os-12", 100)
	b.AddRelation(major, otaprio.RelationRequires, osID, ">= 11.2")
	b.AddRelation(major, otaprio.RelationRequires, boot, ">= 2")
	b.AddRelation(major, otaprio.RelationProvides, osID, "12.0")
	catalog, err := b.Build()
	if err != nil {
		panic(err)
	}
	defer catalog.Close()

	order, _ := catalog.ReleaseOrder()
	fmt.Println("release order:", order)
	// Three devices: os 11.0 / boot 1, os 11.2 / boot 2, os 12.0 / boot 2.
	devices := &otaprio.DeviceState{Versions: [][]uint32{{0, 1, 2}, {0, 1, 1}}}
	check, _ := catalog.CheckDevices(major, devices)
	fmt.Printf("%q %d eligible\n", check.Blocks, check.Eligible)
	path, _ := catalog.UpdatePath(major, devices, 0, 0)
	for _, p := range path.Packages {
		name, _ := catalog.PackageName(p)
		fmt.Print(name, " ")
	}
	fmt.Println(path.DownloadBytes, "bytes")
	// A flaw in os below 11.2 hits the first device only: os-12 needs
	// 11.2 and replaces it, so it cures rather than inherits.
	marks, _, _ := catalog.ImpactDevices(osID, "< 11.2", devices)
	fmt.Println(marks)
	// Output:
	// release order: [0 1 2]
	// ["requirement" "" "current"] 1 eligible
	// os-11.2 boot-2 15 bytes
	// [direct none none]
}

// Devices grouped by build and hardware revision, with the canary
// cohort's coverage of each group.
func ExampleClusterer() {
	c, err := otaprio.NewClusterer(2)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	build := []uint32{7, 7, 8, 7, 8}
	revision := []uint32{1, 2, 1, 1, 1}
	cohort := []uint8{1, 0, 0, 1, 0}
	ids, _ := c.Add([][]uint32{build, revision}, nil, cohort)
	fmt.Println(ids)
	report, _ := c.ReportAll()
	for i, values := range report.Values {
		fmt.Println(values, report.Members[i], "devices,", report.CohortMembers[i], "in the cohort")
	}
	// Output:
	// [0 1 2 0 2]
	// [7 1] 2 devices, 2 in the cohort
	// [7 2] 1 devices, 0 in the cohort
	// [8 1] 2 devices, 0 in the cohort
}
