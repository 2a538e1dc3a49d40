// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"errors"
	"fmt"

	"otaprio"
)

// Firmware parts that must ship before others: a topological order, and
// what a flaw in the bootloader reaches.
func ExampleNewGraph() {
	// 0 bootloader, 1 kernel, 2 modem, 3 system image.
	g, err := otaprio.NewGraph(4, []uint32{0, 0, 1, 2}, []uint32{1, 2, 3, 3})
	if err != nil {
		panic(err)
	}
	defer g.Close()
	order, _ := g.Order()
	fmt.Println("order:", order)
	reached, _ := g.ReachList(otaprio.DirectionForward, []uint32{2})
	fmt.Println("a flaw in the modem reaches:", reached)
	// Output:
	// order: [0 1 2 3]
	// a flaw in the modem reaches: [2 3]
}

// On a cycle, Order fails with a *CycleError holding the cycle whole.
func ExampleGraph_Order() {
	g, _ := otaprio.NewGraph(3, []uint32{0, 1, 2}, []uint32{1, 2, 1})
	defer g.Close()
	_, err := g.Order()
	var cycle *otaprio.CycleError
	if errors.As(err, &cycle) {
		fmt.Println(errors.Is(err, otaprio.ErrCycle), cycle.Cycle)
		fmt.Println(err)
	}
	// Output:
	// true [1 2]
	// otaprio: Graph.Order: cycle: 1 -> 2 -> 1
}

// A graph the host already holds is walked through callbacks, copying
// nothing; a callback's error comes back unchanged.
func ExampleWrapGraph() {
	successors := [][]uint32{{1, 2}, {3}, {3}, {}}
	g, err := otaprio.WrapGraph(4, func(node uint32) ([]uint32, error) {
		return successors[node], nil
	}, nil)
	if err != nil {
		panic(err)
	}
	scc, _ := g.StrongComponents()
	fmt.Println("components:", scc.Count)
	reached, count, _ := g.Reach(otaprio.DirectionForward, []uint32{1})
	fmt.Println(reached, count)

	offline := errors.New("inventory offline")
	broken, _ := otaprio.WrapGraph(4, func(uint32) ([]uint32, error) { return nil, offline }, nil)
	_, err = broken.Order()
	fmt.Println(err == offline)
	// Output:
	// components: 4
	// [false true false true] 2
	// true
}

func ExampleCompareVersions() {
	for _, pair := range [][2]string{{"1.2", "v1.02.0"}, {"1.0-rc.1", "1.0"}, {"1.1.1w", "1.1.1"}} {
		order, _ := otaprio.CompareVersions(pair[0], pair[1])
		fmt.Println(pair[0], pair[1], order)
	}
	// Output:
	// 1.2 v1.02.0 0
	// 1.0-rc.1 1.0 -1
	// 1.1.1w 1.1.1 1
}

func ExampleConstraintMatches() {
	for _, v := range []string{"2.3.0", "2.9.9", "3-rc.1", "3.0"} {
		ok, _ := otaprio.ConstraintMatches(">= 2.3.1, < 3", v)
		fmt.Println(v, ok)
	}
	// Output:
	// 2.3.0 false
	// 2.9.9 true
	// 3-rc.1 true
	// 3.0 false
}
