func.func private @f() attributes {hdp.cfg = #hdp.config<int_bits = 9, frac_bits = 8>}
