module example.com/wasmdeploy-controller

go 1.21
