func.func private @f() attributes {hdp.cfg = #hdp.config<frac_bits = -1>}
