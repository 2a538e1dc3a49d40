// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import (
	"runtime"
	"strconv"
	"unsafe"
)

// Special values of device columns and results.
const (
	// VersionNone is a device's version id meaning "component not
	// installed".
	VersionNone uint32 = C.OTAPRIO_VERSION_NONE
	// CodeUnknown is a device's carrier, region or enrollment code
	// meaning "the host does not know": a package's rule on that
	// attribute then fails for the device, as for a nil column. It is
	// never a valid code in a package's lists.
	CodeUnknown uint32 = C.OTAPRIO_CODE_UNKNOWN
	// NoFailedRelation is DeviceCheck.FirstFailed of a device that meets
	// every relation of the package.
	NoFailedRelation uint32 = ^uint32(0)
	// DefaultPathStates is UpdatePath's work limit when maxStates is 0,
	// in device states examined.
	DefaultPathStates uint64 = C.OTAPRIO_PATH_DEFAULT_STATES
)

// Package is a package (an update) and the non-code predicates a device
// must meet to install it. Start from DefaultPackage, whose defaults are
// the library's. Carrier, region and enrollment values are the host's own
// codes (any but CodeUnknown); an empty list means "any".
type Package struct {
	// Name is unique in the catalog, 1 to VersionTextMax bytes.
	Name string
	// DownloadBytes breaks ties between update paths of equal length.
	DownloadBytes uint64
	// InstallBytes is the free storage a device needs to install it.
	InstallBytes uint64
	// Family is the host's product family code.
	Family uint32
	// MinBattery is the lowest charge, in [0, 1], to install unless
	// charging; 0 means no rule.
	MinBattery float32
	// AllowMetered permits downloading over a metered link.
	AllowMetered bool
	// Carriers and Regions are the codes allowed; DeniedRegions the
	// regions where legal or contractual rules forbid the package;
	// Enrollments the device-management states allowed.
	Carriers, Regions, DeniedRegions, Enrollments []uint32
}

// DefaultPackage returns a package description with the library's
// defaults (otaprio_package_init) and no name.
func DefaultPackage() Package {
	var p C.otaprio_package
	C.otaprio_package_init(&p, C.size_t(unsafe.Sizeof(p)))
	return Package{
		DownloadBytes: uint64(p.download_bytes),
		InstallBytes:  uint64(p.install_bytes),
		Family:        uint32(p.family),
		MinBattery:    float32(p.min_battery),
		AllowMetered:  p.allow_metered != 0,
	}
}

// ImpactMark is a package's or a device's part in a flaw.
type ImpactMark uint8

// Impact marks.
const (
	// ImpactNone: untouched by the flaw.
	ImpactNone ImpactMark = 0
	// ImpactDirect: a package that provides or requires a flawed
	// version; a device that runs one.
	ImpactDirect ImpactMark = 1
	// ImpactInherited: a package reachable from a direct one in the
	// package graph without passing a cure; a device that runs a
	// version such a package (or a direct one) provides.
	ImpactInherited ImpactMark = 2
)

// String names the mark ("none", "direct", "inherited"), or
// ImpactMark(n) for another value.
func (m ImpactMark) String() string {
	switch m {
	case ImpactNone:
		return "none"
	case ImpactDirect:
		return "direct"
	case ImpactInherited:
		return "inherited"
	}
	return "ImpactMark(" + strconv.Itoa(int(m)) + ")"
}

// BlockName returns the library's name of one Block bit ("requirement",
// "legal"), or "unknown" for anything but a single known bit.
func BlockName(bit Block) string {
	return C.GoString(C.otaprio_block_name(C.uint32_t(bit)))
}

// CatalogBuilder collects components, versions, packages and relations.
// It is not safe for concurrent use. Build makes an immutable Catalog
// and leaves the builder usable; Close frees it.
type CatalogBuilder struct {
	c *C.otaprio_catalog_builder
}

// NewCatalogBuilder starts an empty catalog.
func NewCatalogBuilder() (*CatalogBuilder, error) {
	var c *C.otaprio_catalog_builder
	d := newDiag()
	if err := check("NewCatalogBuilder", C.otaprio_catalog_builder_create(nil, &c, d), d); err != nil {
		return nil, err
	}
	b := &CatalogBuilder{c: c}
	runtime.SetFinalizer(b, (*CatalogBuilder).Close)
	return b, nil
}

// Close frees the builder; it is idempotent. Catalogs it built live on.
func (b *CatalogBuilder) Close() error {
	if b.c != nil {
		C.otaprio_catalog_builder_free(b.c)
		b.c = nil
		runtime.SetFinalizer(b, nil)
	}
	return nil
}

// AddComponent interns a component name ("bootloader", "libssl") and
// returns its id: dense from 0 in order of first appearance; the same
// name gives the same id.
func (b *CatalogBuilder) AddComponent(name string) (uint32, error) {
	const op = "CatalogBuilder.AddComponent"
	if b.c == nil {
		return 0, closedError(op, "builder")
	}
	p, n := graphText(name)
	var id C.uint32_t
	d := newDiag()
	status := C.otaprio_catalog_add_component(b.c, p, n, &id, d)
	runtime.KeepAlive(b)
	return uint32(id), check(op, status, d)
}

// AddVersion interns a version of a component that devices may report,
// and returns its id, which device columns use: dense per component from
// 0, in order of first appearance; equal versions ("1.2", "1.2.0") share
// an id.
func (b *CatalogBuilder) AddVersion(component uint32, version string) (uint32, error) {
	const op = "CatalogBuilder.AddVersion"
	if b.c == nil {
		return 0, closedError(op, "builder")
	}
	p, n := graphText(version)
	var id C.uint32_t
	d := newDiag()
	status := C.otaprio_catalog_add_version(b.c, C.uint32_t(component), p, n, &id, d)
	runtime.KeepAlive(b)
	return uint32(id), check(op, status, d)
}

// AddPackage adds a package (copied) and returns its id, dense from 0 in
// order of addition. A name used before fails with ErrDuplicate; a bad
// field with ErrRange naming it (a list's Index is the position).
func (b *CatalogBuilder) AddPackage(pkg Package) (uint32, error) {
	const op = "CatalogBuilder.AddPackage"
	if b.c == nil {
		return 0, closedError(op, "builder")
	}
	var strings cStrings
	defer strings.free()
	var pins runtime.Pinner
	defer pins.Unpin()
	var p C.otaprio_package
	C.otaprio_package_init(&p, C.size_t(unsafe.Sizeof(p)))
	p.name = strings.add(pkg.Name)
	p.name_length = C.size_t(len(pkg.Name))
	p.download_bytes = C.uint64_t(pkg.DownloadBytes)
	p.install_bytes = C.uint64_t(pkg.InstallBytes)
	p.family = C.uint32_t(pkg.Family)
	p.min_battery = C.float(pkg.MinBattery)
	p.allow_metered = C.uint8_t(cFlag(pkg.AllowMetered))
	p.carriers = column[C.uint32_t](&pins, pkg.Carriers)
	p.carrier_count = C.size_t(len(pkg.Carriers))
	p.regions = column[C.uint32_t](&pins, pkg.Regions)
	p.region_count = C.size_t(len(pkg.Regions))
	p.denied_regions = column[C.uint32_t](&pins, pkg.DeniedRegions)
	p.denied_region_count = C.size_t(len(pkg.DeniedRegions))
	p.enrollments = column[C.uint32_t](&pins, pkg.Enrollments)
	p.enrollment_count = C.size_t(len(pkg.Enrollments))
	var id C.uint32_t
	d := newDiag()
	status := C.otaprio_catalog_add_package(b.c, &p, &id, d)
	runtime.KeepAlive(b)
	return uint32(id), check(op, status, d)
}

// AddRelation relates a package to a component: text is a constraint
// (">= 2.3.1, < 3") for RelationRequires and RelationConflicts, a version
// for RelationProvides. A package's relations are numbered from 0 in
// order of addition; DeviceCheck.FirstFailed reports by that number.
func (b *CatalogBuilder) AddRelation(pkg uint32, relation Relation, component uint32, text string) error {
	const op = "CatalogBuilder.AddRelation"
	if b.c == nil {
		return closedError(op, "builder")
	}
	p, n := graphText(text)
	d := newDiag()
	status := C.otaprio_catalog_add_relation(b.c, C.uint32_t(pkg), C.int32_t(relation),
		C.uint32_t(component), p, n, d)
	runtime.KeepAlive(b)
	return check(op, status, d)
}

// Build builds the catalog and its package graph. A cycle is not an
// error here (ReleaseOrder reports it), so that mutually dependent
// packages can still be diagnosed. The builder stays usable.
func (b *CatalogBuilder) Build() (*Catalog, error) {
	const op = "CatalogBuilder.Build"
	if b.c == nil {
		return nil, closedError(op, "builder")
	}
	var c *C.otaprio_catalog
	d := newDiag()
	status := C.otaprio_catalog_build(b.c, &c, d)
	runtime.KeepAlive(b)
	if err := check(op, status, d); err != nil {
		return nil, err
	}
	cat := &Catalog{c: c}
	cat.graph = &Graph{catalog: cat}
	runtime.SetFinalizer(cat, (*Catalog).Close)
	return cat, nil
}

// Catalog is an immutable catalog of components, versions and packages:
// release order, names, eligibility of devices, update paths and the
// impact of flaws. It is safe for concurrent use, except Close, which
// must not run concurrently with other calls.
type Catalog struct {
	c     *C.otaprio_catalog
	graph *Graph
}

// Close frees the catalog; it is idempotent. Its Graph is closed with it.
func (c *Catalog) Close() error {
	if c.c != nil {
		C.otaprio_catalog_free(c.c)
		c.c = nil
		runtime.SetFinalizer(c, nil)
	}
	return nil
}

// handle returns the C catalog, or an error once closed.
func (c *Catalog) handle(op string) (*C.otaprio_catalog, error) {
	if c.c == nil {
		return nil, closedError(op, "catalog")
	}
	return c.c, nil
}

// CatalogInfo counts a catalog's contents.
type CatalogInfo struct {
	Components uint32 // number of components
	Packages   uint32 // number of packages
	Versions   uint64 // distinct versions over all components
	Relations  uint64 // relations over all packages
}

// Info returns the catalog's counts.
func (c *Catalog) Info() (CatalogInfo, error) {
	const op = "Catalog.Info"
	h, err := c.handle(op)
	if err != nil {
		return CatalogInfo{}, err
	}
	var info C.otaprio_catalog_info
	info.size = C.size_t(unsafe.Sizeof(info))
	d := newDiag()
	status := C.otaprio_catalog_get_info(h, &info, d)
	runtime.KeepAlive(c)
	if err := check(op, status, d); err != nil {
		return CatalogInfo{}, err
	}
	return CatalogInfo{Components: uint32(info.component_count), Packages: uint32(info.package_count),
		Versions: uint64(info.version_count), Relations: uint64(info.relation_count)}, nil
}

// packageCount is the number of packages (0 once closed).
func (c *Catalog) packageCount() int {
	info, err := c.Info()
	if err != nil {
		return 0
	}
	return int(info.Packages)
}

// Graph returns the package graph, whose node ids are package ids: an
// edge p -> q when p is the earliest release that unlocks q. The catalog
// owns it: it is valid while the catalog is open.
func (c *Catalog) Graph() *Graph { return c.graph }

// ReleaseOrder returns the package ids in release order (Graph().Order()).
// On a cycle the error is a *CycleError whose message names the packages
// ("cycle: modem-3 -> bootloader-2 -> modem-3") and whose Cycle holds
// their ids.
func (c *Catalog) ReleaseOrder() ([]uint32, error) {
	const op = "Catalog.ReleaseOrder"
	h, err := c.handle(op)
	if err != nil {
		return nil, err
	}
	order := make([]uint32, c.packageCount())
	d := newDiag()
	status := C.otaprio_catalog_release_order(h, graphOut[C.uint32_t](order), d)
	runtime.KeepAlive(c)
	if err := check(op, status, d); err != nil {
		return nil, c.graph.withCycle(err)
	}
	return order, nil
}

// lookup runs a catalog call that finds one id.
func (c *Catalog) lookup(op string, fn func(*C.otaprio_catalog, *C.uint32_t, *C.otaprio_diag) C.int) (uint32, error) {
	h, err := c.handle(op)
	if err != nil {
		return 0, err
	}
	var id C.uint32_t
	d := newDiag()
	status := fn(h, &id, d)
	runtime.KeepAlive(c)
	if err := check(op, status, d); err != nil {
		return 0, err
	}
	return uint32(id), nil
}

// ComponentID finds a component by name (ErrNotFound).
func (c *Catalog) ComponentID(name string) (uint32, error) {
	p, n := graphText(name)
	return c.lookup("Catalog.ComponentID", func(h *C.otaprio_catalog, id *C.uint32_t, d *C.otaprio_diag) C.int {
		return C.otaprio_catalog_component_id(h, p, n, id, d)
	})
}

// PackageID finds a package by name (ErrNotFound).
func (c *Catalog) PackageID(name string) (uint32, error) {
	p, n := graphText(name)
	return c.lookup("Catalog.PackageID", func(h *C.otaprio_catalog, id *C.uint32_t, d *C.otaprio_diag) C.int {
		return C.otaprio_catalog_package_id(h, p, n, id, d)
	})
}

// VersionID finds the id of a component's version by value ("1.2" finds
// "1.2.0"); ErrNotFound for a version the catalog never saw.
func (c *Catalog) VersionID(component uint32, version string) (uint32, error) {
	p, n := graphText(version)
	return c.lookup("Catalog.VersionID", func(h *C.otaprio_catalog, id *C.uint32_t, d *C.otaprio_diag) C.int {
		return C.otaprio_catalog_version_id(h, C.uint32_t(component), p, n, id, d)
	})
}

// Name returns a component's or package's name, or the text of a
// component's version, as first given to the builder. component is read
// for NameKindVersion only.
func (c *Catalog) Name(kind NameKind, component, id uint32) (string, error) {
	const op = "Catalog.Name"
	h, err := c.handle(op)
	if err != nil {
		return "", err
	}
	var text *C.char
	var length C.size_t
	d := newDiag()
	status := C.otaprio_catalog_name(h, C.int32_t(kind), C.uint32_t(component), C.uint32_t(id), &text, &length, d)
	if err := check(op, status, d); err != nil {
		return "", err
	}
	name := C.GoStringN(text, C.int(length)) // copied while the catalog lives
	runtime.KeepAlive(c)
	return name, nil
}

// ComponentName returns a component's name.
func (c *Catalog) ComponentName(component uint32) (string, error) {
	return c.Name(NameKindComponent, 0, component)
}

// PackageName returns a package's name.
func (c *Catalog) PackageName(pkg uint32) (string, error) {
	return c.Name(NameKindPackage, 0, pkg)
}

// VersionText returns the text of a component's version id.
func (c *Catalog) VersionText(component, version uint32) (string, error) {
	return c.Name(NameKindVersion, component, version)
}

// ChainComponents returns the components, ascending, whose installed
// versions decide a device's update path to pkg: those named by
// relations of pkg and of every package it depends on. Devices that agree
// on them take the same path, so clustering on these columns gives the
// dependency chains a canary cohort must cover.
func (c *Catalog) ChainComponents(pkg uint32) ([]uint32, error) {
	const op = "Catalog.ChainComponents"
	info, err := c.Info()
	if err != nil {
		return nil, err
	}
	out := make([]uint32, info.Components)
	var count C.size_t
	d := newDiag()
	status := C.otaprio_catalog_chain_components(c.c, C.uint32_t(pkg), graphOut[C.uint32_t](out),
		C.size_t(len(out)), &count, d)
	runtime.KeepAlive(c)
	if err := check(op, status, d); err != nil {
		return nil, err
	}
	return out[:int(count)], nil
}

// Impact marks the packages that inherit a flaw in the versions of
// component that constraint admits ("< 1.1.1w"): ImpactDirect for a
// package that provides a flawed version or requires one without
// replacing the component, ImpactInherited for one reachable from those
// in the package graph without passing a cure (a package that replaces
// the flawed component with a good version). It returns one mark per
// package and the number of packages hit.
func (c *Catalog) Impact(component uint32, constraint string) ([]ImpactMark, uint64, error) {
	const op = "Catalog.Impact"
	h, err := c.handle(op)
	if err != nil {
		return nil, 0, err
	}
	marks := make([]ImpactMark, c.packageCount())
	p, n := graphText(constraint)
	var count C.uint64_t
	d := newDiag()
	status := C.otaprio_catalog_impact(h, C.uint32_t(component), p, n, graphOut[C.uint8_t](marks), &count, d)
	runtime.KeepAlive(c)
	if err := check(op, status, d); err != nil {
		return nil, 0, err
	}
	return marks, uint64(count), nil
}
