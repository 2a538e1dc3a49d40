module otaprio

go 1.21
