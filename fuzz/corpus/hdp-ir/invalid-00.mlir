func.func private @f() attributes {hdp.cfg = #hdp.config<int_bits = 0>}
