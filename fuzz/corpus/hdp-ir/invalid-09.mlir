func.func private @f() attributes {hdp.cfg = #hdp.config<scale = 0.0>}
