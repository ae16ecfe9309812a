bundle
    version = "1
