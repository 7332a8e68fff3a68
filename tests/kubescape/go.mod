module vigil.test/kubescape

go 1.19
