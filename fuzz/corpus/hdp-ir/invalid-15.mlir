func.func private @f() attributes {hdp.cfg = #hdp.config<rho = 0.1, rho = 0.2>}
