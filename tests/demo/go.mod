module vigil.test/demo

go 1.19
