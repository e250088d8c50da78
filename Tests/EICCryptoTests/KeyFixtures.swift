// Generated with: ssh-keygen -t rsa -b 2048 -N "" -C fixture; the PEM is the same key after
// `ssh-keygen -p -m PEM`. Test-only key, never used anywhere else.
enum KeyFixtures {
    static let rsaOpenSSH = """
        -----BEGIN OPENSSH PRIVATE KEY-----
        b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAABFwAAAAdzc2gtcn
        NhAAAAAwEAAQAAAQEAqGTHnaye9eU5EWM5DCWR5MSe+ReIJdqMFZtfFGekPfEGQHZH1uS8
        qM0FWKT6/Igw1NjaJx35xMg7RtzwPatGxAmzdFw94SBOoWXMQLO0jSS8f6Bdz6j5s9hi03
        PZ1dJnv+VOyRYBtTBNFLZaNzQZrk0dHZyteBOSIWUwd5+z7y3c9qxCR4NZ6/OpN8RpMWG2
        Q7Jn2D2t6QXxYfu55UJWMz7nWArPzcdOq0RBX0bkuklziKarpM5EB9aHbBergJbbAisDZB
        AC8/f2q1D2svY5ZPjxQ8YptJxXAosweMsVpEFtM71VlKv6k4GzZh2slTofl6ykB6bNainc
        F6TIr8g7cQAAA8DfELxt3xC8bQAAAAdzc2gtcnNhAAABAQCoZMedrJ715TkRYzkMJZHkxJ
        75F4gl2owVm18UZ6Q98QZAdkfW5LyozQVYpPr8iDDU2NonHfnEyDtG3PA9q0bECbN0XD3h
        IE6hZcxAs7SNJLx/oF3PqPmz2GLTc9nV0me/5U7JFgG1ME0Utlo3NBmuTR0dnK14E5IhZT
        B3n7PvLdz2rEJHg1nr86k3xGkxYbZDsmfYPa3pBfFh+7nlQlYzPudYCs/Nx06rREFfRuS6
        SXOIpqukzkQH1odsF6uAltsCKwNkEALz9/arUPay9jlk+PFDxim0nFcCizB4yxWkQW0zvV
        WUq/qTgbNmHayVOh+XrKQHps1qKdwXpMivyDtxAAAAAwEAAQAAAQAGNQbNp1gJsNwgabOn
        4Lemwt+oR2eHm613u20vC534gYqtNB70SySwJTSJ/rTYu61vHxo1gGudRxM2Sr0ZTNe0ML
        Zadu75/i6f0OiNRwKEBGNlYfQrTCt+J18HM9lHAjU8U9fKXkMMWn4w4gLjz4oVzHZjCcw0
        JaaIkBoQAsVHbu5KIifi16HolsjjlsFc/+Iolx5AY3p+r5Kse679Y+D/5r9JmyIDPQsmF7
        pO+GehgedYxAgELPE9rjwTFws/a/DmvkQgPXftviDbMlHRAkTHm8Fs52fr7eec5Ejfu+4Z
        BaiasIoWveCpAoqFxhB0l2hrJ3m9UMgfR2oA+pmmarBFAAAAgGZ0qkjfQ/n0DCYEm+aLwY
        dklpQpb+I6N5i6JICN8TO+726fXTCmW+xbdxzRHSpWDENuooHRa8jzyAV1JLH6JLYiI/LH
        5Cm+sm0i35RaJ/i05LVqHtm/jiGEXMDp5iS8XapvAbFgUMjd4LoMgpN7GQDUU23XJAFapI
        5hrZpWEqwxAAAAgQDWz+wA2JRhr39RCDsaJDbSDbCE7SqJmsNm04APBG3+zmc6XG8P8jX7
        6ci91ysVh0/DqFIzKmYznnNT4qFRdAjk5lTWHYGxGHe5gfIhyewmFJ19syTuUFdTH8PBn+
        EYqQFoR0HgkodZeS9xsijVLVjf9saQp/uxjC/peqDl/e8BZQAAAIEAyK5mY9I5/0lIcr6w
        Lcak38NRMjXkgBX7ZXy4tbS7m9keqAtTurtR6VOTr4qurL3Eenmu6eX/iEdSAcaKy36xKZ
        4jEqZRQy89GHzUpNFK88Yj+M6PtlX0lBuXKVQFNtIABpUYAANJLFxmSCJDZRKj+DlL7OAT
        p/Riq5jzZLFxFx0AAAAHZml4dHVyZQECAwQ=
        -----END OPENSSH PRIVATE KEY-----
        """
    static let rsaPEM = """
        -----BEGIN RSA PRIVATE KEY-----
        MIIEogIBAAKCAQEAqGTHnaye9eU5EWM5DCWR5MSe+ReIJdqMFZtfFGekPfEGQHZH
        1uS8qM0FWKT6/Igw1NjaJx35xMg7RtzwPatGxAmzdFw94SBOoWXMQLO0jSS8f6Bd
        z6j5s9hi03PZ1dJnv+VOyRYBtTBNFLZaNzQZrk0dHZyteBOSIWUwd5+z7y3c9qxC
        R4NZ6/OpN8RpMWG2Q7Jn2D2t6QXxYfu55UJWMz7nWArPzcdOq0RBX0bkuklziKar
        pM5EB9aHbBergJbbAisDZBAC8/f2q1D2svY5ZPjxQ8YptJxXAosweMsVpEFtM71V
        lKv6k4GzZh2slTofl6ykB6bNaincF6TIr8g7cQIDAQABAoIBAAY1Bs2nWAmw3CBp
        s6fgt6bC36hHZ4ebrXe7bS8LnfiBiq00HvRLJLAlNIn+tNi7rW8fGjWAa51HEzZK
        vRlM17Qwtlp27vn+Lp/Q6I1HAoQEY2Vh9CtMK34nXwcz2UcCNTxT18peQwxafjDi
        AuPPihXMdmMJzDQlpoiQGhACxUdu7koiJ+LXoeiWyOOWwVz/4iiXHkBjen6vkqx7
        rv1j4P/mv0mbIgM9CyYXuk74Z6GB51jECAQs8T2uPBMXCz9r8Oa+RCA9d+2+INsy
        UdECRMebwWznZ+vt55zkSN+77hkFqJqwiha94KkCioXGEHSXaGsneb1QyB9HagD6
        maZqsEUCgYEA1s/sANiUYa9/UQg7GiQ20g2whO0qiZrDZtOADwRt/s5nOlxvD/I1
        ++nIvdcrFYdPw6hSMypmM55zU+KhUXQI5OZU1h2BsRh3uYHyIcnsJhSdfbMk7lBX
        Ux/DwZ/hGKkBaEdB4JKHWXkvcbIo1S1Y3/bGkKf7sYwv6Xqg5f3vAWUCgYEAyK5m
        Y9I5/0lIcr6wLcak38NRMjXkgBX7ZXy4tbS7m9keqAtTurtR6VOTr4qurL3Eenmu
        6eX/iEdSAcaKy36xKZ4jEqZRQy89GHzUpNFK88Yj+M6PtlX0lBuXKVQFNtIABpUY
        AANJLFxmSCJDZRKj+DlL7OATp/Riq5jzZLFxFx0CgYBifgkmxicatx34KH742Hvu
        SeqSuC+V0kkfv3/q4swQVdEM+E7QD+1iqOmq6ZpOj7Ep8+ZkoV8k8dTNNI9kyoA9
        e8KQPg02BxL2ErfTeEL3nuIrPVWEk3/GlDzsbYMHDI6honJ5JpY6lw8C4X5JaDZk
        0kBvGSaVXMKnGdvmOE065QKBgG3Ag5rgJHvrlkW66BuA4jbGWSe+taMfYogUd+hY
        WapYSh3ZZAdh3uBepwyAKhurBUN+PR0KfoAHkWALN2kndriuFbxjXVoDAcTcsGcb
        V4SOvqmaPpqX09UUac1eeCONIhp3e9K1+VTbi8yzgGxMj4R3wYBg5B8c1sHGOoa9
        TH45AoGAZnSqSN9D+fQMJgSb5ovBh2SWlClv4jo3mLokgI3xM77vbp9dMKZb7Ft3
        HNEdKlYMQ26igdFryPPIBXUksfoktiIj8sfkKb6ybSLflFon+LTktWoe2b+OIYRc
        wOnmJLxdqm8BsWBQyN3gugyCk3sZANRTbdckAVqkjmGtmlYSrDE=
        -----END RSA PRIVATE KEY-----
        """
    static let rsaPublicLine = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCoZMedrJ715TkRYzkMJZHkxJ75F4gl2owVm18UZ6Q98QZAdkfW5LyozQVYpPr8iDDU2NonHfnEyDtG3PA9q0bECbN0XD3hIE6hZcxAs7SNJLx/oF3PqPmz2GLTc9nV0me/5U7JFgG1ME0Utlo3NBmuTR0dnK14E5IhZTB3n7PvLdz2rEJHg1nr86k3xGkxYbZDsmfYPa3pBfFh+7nlQlYzPudYCs/Nx06rREFfRuS6SXOIpqukzkQH1odsF6uAltsCKwNkEALz9/arUPay9jlk+PFDxim0nFcCizB4yxWkQW0zvVWUq/qTgbNmHayVOh+XrKQHps1qKdwXpMivyDtx fixture"
}
